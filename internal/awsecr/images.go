package awsecr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

// maxIndexDepth is how deep nested image indexes are followed.
const maxIndexDepth = 8

// ImageQuery asks Observe to read the image each selected repository is
// judged by.
type ImageQuery struct {
	// Tag reads the image with this tag instead of the newest.
	Tag string
	// AllFindings reads every page of findings even when ECR's severity
	// counts are there, so that ignored vulnerabilities can be taken out.
	AllFindings bool
}

// ImageCalls counts the image calls of one repository.
type ImageCalls struct {
	DescribeImages            int
	BatchGetImage             int
	DescribeImageScanFindings int
}

func (c *ImageCalls) add(o ImageCalls) {
	c.DescribeImages += o.DescribeImages
	c.BatchGetImage += o.BatchGetImage
	c.DescribeImageScanFindings += o.DescribeImageScanFindings
}

// LatestImage reads the image a repository is judged by: the one tagged
// q.Tag, or the newest container image found by reading every
// DescribeImages page (ECR gives no order). An index is read through its
// manifest (BatchGetImage) and judged by its platform images. Scan results
// come from DescribeImageScanFindings for the judged images only.
//
// It returns the observation or an error, never both; the calls are counted
// either way. A repository deleted meanwhile is ErrRepositoryNotFound.
func (c *Client) LatestImage(ctx context.Context, registryID, repo string,
	q ImageQuery) (*compliance.ImageObservation, ImageCalls, error) {
	var calls ImageCalls
	var chosen compliance.ImageSummary
	var ok bool
	var err error
	if q.Tag != "" {
		chosen, ok, err = c.imageByTag(ctx, registryID, repo, q.Tag, &calls)
	} else {
		chosen, ok, err = c.newestImage(ctx, registryID, repo, &calls)
	}
	if err != nil {
		return nil, calls, err
	}
	obs := &compliance.ImageObservation{Tag: q.Tag}
	if !ok {
		return obs, calls, nil
	}
	obs.Digest, obs.Tags, obs.PushedAt = chosen.Digest, chosen.Tags, chosen.PushedAt

	var platforms []platformRef
	if chosen.IsIndex() {
		platforms, err = c.platformImages(ctx, registryID, repo, chosen.Digest, 1, &calls)
		if err != nil {
			return nil, calls, err
		}
	}
	for _, p := range platforms {
		scan, err := c.imageScan(ctx, registryID, repo, p.digest, q.AllFindings, &calls)
		if err != nil {
			return nil, calls, err
		}
		obs.Platforms = append(obs.Platforms,
			compliance.PlatformImage{Digest: p.digest, Platform: p.platform, Scan: scan})
	}
	if len(platforms) == 0 {
		obs.Scan, err = c.imageScan(ctx, registryID, repo, chosen.Digest, q.AllFindings, &calls)
		if err != nil {
			return nil, calls, err
		}
	}
	return obs, calls, nil
}

func (c *Client) newestImage(ctx context.Context, registryID, repo string,
	calls *ImageCalls) (compliance.ImageSummary, bool, error) {
	in := &ecr.DescribeImagesInput{RepositoryName: aws.String(repo),
		MaxResults: aws.Int32(describePageSize), RegistryId: optional(registryID)}
	var all []compliance.ImageSummary
	pages := ecr.NewDescribeImagesPaginator(c.api, in)
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		calls.DescribeImages++
		if err != nil {
			return compliance.ImageSummary{}, false, c.imageError("DescribeImages", repo, err)
		}
		for _, d := range out.ImageDetails {
			all = append(all, summaryFromAPI(d))
		}
	}
	img, ok := compliance.SelectNewest(all)
	return img, ok, nil
}

func (c *Client) imageByTag(ctx context.Context, registryID, repo, tag string,
	calls *ImageCalls) (compliance.ImageSummary, bool, error) {
	calls.DescribeImages++
	out, err := c.api.DescribeImages(ctx, &ecr.DescribeImagesInput{
		RepositoryName: aws.String(repo), RegistryId: optional(registryID),
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String(tag)}}})
	err = c.imageError("DescribeImages", repo, err)
	if errors.Is(err, ErrImageNotFound) {
		return compliance.ImageSummary{}, false, nil
	}
	if err != nil {
		return compliance.ImageSummary{}, false, err
	}
	if len(out.ImageDetails) == 0 {
		return compliance.ImageSummary{}, false, nil
	}
	return summaryFromAPI(out.ImageDetails[0]), true, nil
}

type platformRef struct{ digest, platform string }

// indexManifest is the part of an OCI index or Docker manifest list read.
type indexManifest struct {
	Manifests []struct {
		MediaType string `json:"mediaType"`
		Digest    string `json:"digest"`
		Platform  *struct {
			Architecture string `json:"architecture"`
			OS           string `json:"os"`
			Variant      string `json:"variant"`
		} `json:"platform"`
		Annotations map[string]string `json:"annotations"`
	} `json:"manifests"`
}

// platformImages lists an index's platform images, following nested
// indexes, skipping the attestation manifests BuildKit adds (platform
// unknown/unknown).
func (c *Client) platformImages(ctx context.Context, registryID, repo, digest string,
	depth int, calls *ImageCalls) ([]platformRef, error) {
	calls.BatchGetImage++
	out, err := c.api.BatchGetImage(ctx, &ecr.BatchGetImageInput{
		RepositoryName: aws.String(repo), RegistryId: optional(registryID),
		ImageIds: []types.ImageIdentifier{{ImageDigest: aws.String(digest)}},
		AcceptedMediaTypes: []string{compliance.MediaTypeOCIIndex,
			compliance.MediaTypeDockerManifestList,
			"application/vnd.oci.image.manifest.v1+json",
			"application/vnd.docker.distribution.manifest.v2+json"}})
	if err != nil {
		return nil, c.imageError("BatchGetImage", repo, err)
	}
	if len(out.Images) == 0 {
		return nil, nil // deleted since it was listed: judged as never scanned
	}
	refs, nested, err := parseIndex(aws.ToString(out.Images[0].ImageManifest))
	if err != nil {
		return nil, fmt.Errorf("reading the index manifest %s in repository %s: %w",
			digest, repo, err)
	}
	for _, d := range nested {
		if depth >= maxIndexDepth {
			// A bound against cycles and hostile manifests (real images nest
			// one or two levels): the nested index is judged by its own
			// scan, which ECR never has, so it fails as NO_SCAN, never passes.
			refs = append(refs, platformRef{digest: d, platform: "nested index"})
			continue
		}
		more, err := c.platformImages(ctx, registryID, repo, d, depth+1, calls)
		if err != nil {
			return nil, err
		}
		refs = append(refs, more...)
	}
	return refs, nil
}

// parseIndex returns an index's platform images and its nested indexes.
func parseIndex(manifest string) (refs []platformRef, nested []string, err error) {
	var doc indexManifest
	if err := json.Unmarshal([]byte(manifest), &doc); err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for _, m := range doc.Manifests {
		if seen[m.Digest] || m.Digest == "" {
			continue
		}
		seen[m.Digest] = true
		if m.Annotations["vnd.docker.reference.type"] == "attestation-manifest" ||
			(m.Platform != nil && m.Platform.OS == "unknown") {
			continue
		}
		if m.MediaType == compliance.MediaTypeOCIIndex ||
			m.MediaType == compliance.MediaTypeDockerManifestList {
			nested = append(nested, m.Digest)
			continue
		}
		ref := platformRef{digest: m.Digest}
		if p := m.Platform; p != nil {
			ref.platform = strings.Trim(p.OS+"/"+p.Architecture+"/"+p.Variant, "/")
		}
		refs = append(refs, ref)
	}
	return refs, nested, nil
}

// imageScan reads an image's scan. The first page carries the status and
// ECR's severity counts; later pages are read when the findings are needed
// (ignores) or when ECR gave no counts. ScanNotFoundException is a state
// (never scanned), not an error.
func (c *Client) imageScan(ctx context.Context, registryID, repo, digest string, all bool,
	calls *ImageCalls) (compliance.ImageScan, error) {
	in := &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String(repo),
		RegistryId: optional(registryID), MaxResults: aws.Int32(describePageSize),
		ImageId: &types.ImageIdentifier{ImageDigest: aws.String(digest)}}
	scan := compliance.ImageScan{}
	pages := ecr.NewDescribeImageScanFindingsPaginator(c.api, in)
	for first := true; pages.HasMorePages(); first = false {
		out, err := pages.NextPage(ctx)
		calls.DescribeImageScanFindings++
		err = c.imageError("DescribeImageScanFindings", repo, err)
		switch {
		case errors.Is(err, ErrScanNotFound):
			return compliance.ImageScan{}, nil
		case errors.Is(err, ErrImageNotFound):
			return compliance.ImageScan{Description: "the image is not in the repository " +
				"(deleted since it was listed)"}, nil
		case err != nil:
			return compliance.ImageScan{}, err
		}
		if first {
			scan.Found = true
			if st := out.ImageScanStatus; st != nil {
				scan.Status, scan.Description = string(st.Status), aws.ToString(st.Description)
			}
		}
		f := out.ImageScanFindings
		if f == nil {
			continue
		}
		// The SDK decodes a list ECR answers empty ([]) as a non-nil empty
		// slice: a list that is there but empty is a result (no findings),
		// a list that is not there is none yet.
		if f.Findings != nil || f.EnhancedFindings != nil {
			scan.FindingsListed = true
		}
		if first {
			scan.CompletedAt = aws.ToTime(f.ImageScanCompletedAt)
			if f.FindingSeverityCounts != nil {
				scan.Counts = make(map[string]int, len(f.FindingSeverityCounts))
				for k, n := range f.FindingSeverityCounts {
					scan.Counts[k] = int(n)
				}
			}
		}
		for _, x := range f.Findings {
			scan.Findings = append(scan.Findings, compliance.Finding{
				ID: aws.ToString(x.Name), Severity: string(x.Severity)})
		}
		for _, x := range f.EnhancedFindings {
			id := aws.ToString(x.Title)
			if d := x.PackageVulnerabilityDetails; d != nil && aws.ToString(d.VulnerabilityId) != "" {
				id = aws.ToString(d.VulnerabilityId)
			}
			scan.Findings = append(scan.Findings,
				compliance.Finding{ID: id, Severity: aws.ToString(x.Severity)})
		}
		if !all && scan.Counts != nil {
			break
		}
	}
	scan.FindingsComplete = !pages.HasMorePages()
	return scan, nil
}

func summaryFromAPI(d types.ImageDetail) compliance.ImageSummary {
	return compliance.ImageSummary{
		Digest: aws.ToString(d.ImageDigest), Tags: d.ImageTags,
		PushedAt:          aws.ToTime(d.ImagePushedAt),
		ManifestMediaType: aws.ToString(d.ImageManifestMediaType),
		ArtifactMediaType: aws.ToString(d.ArtifactMediaType),
		SubjectDigest:     aws.ToString(d.SubjectManifestDigest),
	}
}

// imageError wraps an image call's error; it returns nil for nil.
func (c *Client) imageError(action, repo string, err error) error {
	return wrap(action, repositoryObject(repo, c.Region), err)
}
