package ecremu

import (
	"fmt"
	"slices"
)

// Image operations: DescribeImages and BatchGetImage.

type describeImagesIn struct {
	RegistryID     *string     `json:"registryId"`
	RepositoryName *string     `json:"repositoryName"`
	ImageIDs       []imageIDIn `json:"imageIds"`
	NextToken      *string     `json:"nextToken"`
	MaxResults     *int32      `json:"maxResults"`
	Filter         *struct {
		TagStatus   *string `json:"tagStatus"`
		ImageStatus *string `json:"imageStatus"`
	} `json:"filter"`
}

func (in *describeImagesIn) repoName() string { return deref(in.RepositoryName) }

type describeImagesOut struct {
	ImageDetails []wireImageDetail `json:"imageDetails"`
	NextToken    string            `json:"nextToken,omitempty"`
}

func (s *Server) describeImages(c *call, in *describeImagesIn) (any, *apiError) {
	var v violations
	v.checkRegistryID(in.RegistryID)
	v.checkRepoName("repositoryName", in.RepositoryName, true)
	v.checkListLen("imageIds", len(in.ImageIDs), 1, 100, in.ImageIDs != nil)
	for i, id := range in.ImageIDs {
		v.checkImageID(fmt.Sprintf("imageIds.%d.member", i+1), id)
	}
	v.checkMaxResults(in.MaxResults, 1000)
	v.checkNextToken(in.NextToken)
	if f := in.Filter; f != nil {
		v.checkEnum("filter.tagStatus", f.TagStatus, "TAGGED", "UNTAGGED", "ANY")
		v.checkEnum("filter.imageStatus", f.ImageStatus, "ACTIVE", "ARCHIVED", "ACTIVATING", "ANY")
	}
	if e := v.err(styleInvalidParameter); e != nil {
		return nil, e
	}
	if in.ImageIDs != nil && (in.MaxResults != nil || in.NextToken != nil) {
		return nil, newAPIError(codeInvalidParameter,
			"Invalid parameter: maxResults and nextToken cannot be used when imageIds is specified")
	}
	r, aerr := s.findRepo(c, in.RegistryID, *in.RepositoryName)
	if aerr != nil {
		return nil, aerr
	}
	out := describeImagesOut{ImageDetails: []wireImageDetail{}}
	if in.ImageIDs != nil {
		seen := map[string]bool{}
		for _, id := range in.ImageIDs {
			si, aerr := r.findImage(c, id)
			if aerr != nil {
				return nil, aerr
			}
			if !seen[si.img.Digest] {
				seen[si.img.Digest] = true
				out.ImageDetails = append(out.ImageDetails, wireDetail(c, r.name, si))
			}
		}
		return out, nil
	}
	tagStatus, imageStatus := "ANY", "ACTIVE"
	if f := in.Filter; f != nil {
		if f.TagStatus != nil {
			tagStatus = *f.TagStatus
		}
		if f.ImageStatus != nil {
			imageStatus = *f.ImageStatus
		}
	}
	digests := r.sortedDigests()
	if imageStatus == "ARCHIVED" || imageStatus == "ACTIVATING" {
		digests = nil // the emulator stores no archived images
	}
	digests = slices.DeleteFunc(digests, func(d string) bool {
		tagged := len(r.images[d].img.Tags) > 0
		return tagStatus == "TAGGED" && !tagged || tagStatus == "UNTAGGED" && tagged
	})
	scope := r.name + "|" + tagStatus + "|" + imageStatus
	page, next, aerr := pageAfter(c, scope, digests, in.NextToken, in.MaxResults)
	if aerr != nil {
		return nil, aerr
	}
	for _, d := range page {
		out.ImageDetails = append(out.ImageDetails, wireDetail(c, r.name, r.images[d]))
	}
	out.NextToken = next
	return out, nil
}

type batchGetImageIn struct {
	RegistryID         *string     `json:"registryId"`
	RepositoryName     *string     `json:"repositoryName"`
	ImageIDs           []imageIDIn `json:"imageIds"`
	AcceptedMediaTypes []string    `json:"acceptedMediaTypes"`
}

func (in *batchGetImageIn) repoName() string { return deref(in.RepositoryName) }

type wireImage struct {
	RegistryID             string      `json:"registryId"`
	RepositoryName         string      `json:"repositoryName"`
	ImageID                wireImageID `json:"imageId"`
	ImageManifest          string      `json:"imageManifest"`
	ImageManifestMediaType string      `json:"imageManifestMediaType"`
}

type wireImageFailure struct {
	ImageID       wireImageID `json:"imageId"`
	FailureCode   string      `json:"failureCode"`
	FailureReason string      `json:"failureReason"`
}

type batchGetImageOut struct {
	Images   []wireImage        `json:"images"`
	Failures []wireImageFailure `json:"failures"`
}

// batchGetImage answers manifests in request order. The stored manifest is
// answered whatever acceptedMediaTypes says (no format conversion).
func (s *Server) batchGetImage(c *call, in *batchGetImageIn) (any, *apiError) {
	var v violations
	v.checkRegistryID(in.RegistryID)
	v.checkRepoName("repositoryName", in.RepositoryName, true)
	if in.ImageIDs == nil {
		v.add("imageIds", "null", "Member must not be null")
	}
	v.checkListLen("imageIds", len(in.ImageIDs), 1, 100, in.ImageIDs != nil)
	v.checkListLen("acceptedMediaTypes", len(in.AcceptedMediaTypes), 1, 100, in.AcceptedMediaTypes != nil)
	for i, mt := range in.AcceptedMediaTypes {
		if len(mt) < 1 || len(mt) > 255 {
			v.add(fmt.Sprintf("acceptedMediaTypes.%d.member", i+1), quoteVal(mt),
				"Member must have length between 1 and 255")
		}
	}
	if e := v.err(styleInvalidParameter); e != nil {
		return nil, e
	}
	r, aerr := s.findRepo(c, in.RegistryID, *in.RepositoryName)
	if aerr != nil {
		return nil, aerr
	}
	out := batchGetImageOut{Images: []wireImage{}, Failures: []wireImageFailure{}}
	for _, id := range in.ImageIDs {
		reqID := wireImageID{ImageDigest: deref(id.ImageDigest), ImageTag: deref(id.ImageTag)}
		si, code, reason := r.resolveImageID(id)
		if code != "" {
			out.Failures = append(out.Failures,
				wireImageFailure{ImageID: reqID, FailureCode: code, FailureReason: reason})
			continue
		}
		out.Images = append(out.Images, wireImage{RegistryID: c.account, RepositoryName: r.name,
			ImageID:       wireImageID{ImageDigest: si.img.Digest, ImageTag: deref(id.ImageTag)},
			ImageManifest: si.manifest, ImageManifestMediaType: si.img.ManifestMediaType})
	}
	return out, nil
}
