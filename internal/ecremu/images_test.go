package ecremu

import (
	"encoding/json"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

const (
	apiIndex = "sha256:5387c48922f6298c01fa656bbf24b77d5a9af240dd97296af8734c3c5fcc717d"
	apiAmd64 = "sha256:86084fc7e982af7b0ef24fecdbbf4ab94d679ea05b780911c4fd0d3bae976e69"
	apiArm64 = "sha256:20bbd7ac3cf6255aa39f061d7c4a7f7a77e700f69056c2d1a155ced9a1f10bbf"
	apiSig   = "sha256:762a69e977735e65b2a32d4694a8198f376b38185e3ac5de0415efa0fe141851"
	apiSBOM  = "sha256:ff6f76c3583dc0365f71ef081b7c07d810f405e353f09a770b60e24600c54dd5"
	webV1    = "sha256:29ed7c856b266021b35ba7681cec682d12b7b71ebb1d545c63cb35ab831c698a"
	webV2    = "sha256:1739e79cd73b2c291b8f4158ca3df01c2e63e56826c69f1c82d1df3541e7abf2"
)

func describeAll(t *testing.T, c *ecr.Client, in *ecr.DescribeImagesInput) []types.ImageDetail {
	t.Helper()
	var all []types.ImageDetail
	p := ecr.NewDescribeImagesPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(t, err)
		if in.MaxResults != nil && int32(len(out.ImageDetails)) > *in.MaxResults {
			t.Fatalf("page of %d exceeds maxResults", len(out.ImageDetails))
		}
		all = append(all, out.ImageDetails...)
	}
	return all
}

func TestDescribeImagesSample(t *testing.T) {
	s := startServer(t)
	loadSample(t, s)
	c := newClient(s, "eu-west-1", 1)
	all := describeAll(t, c, &ecr.DescribeImagesInput{RepositoryName: aws.String("app/api-prod"), MaxResults: aws.Int32(2)})
	var digests []string
	byDigest := map[string]types.ImageDetail{}
	for _, d := range all {
		digests = append(digests, *d.ImageDigest)
		byDigest[*d.ImageDigest] = d
	}
	if len(digests) != 5 || !sort.StringsAreSorted(digests) {
		t.Fatalf("digests %v: want the 5 images in digest order", digests)
	}
	idx := byDigest[apiIndex]
	if *idx.ImageManifestMediaType != MediaTypeOCIIndex || idx.ArtifactMediaType != nil || !slices.Equal(idx.ImageTags, []string{"1.4.0"}) {
		t.Fatalf("index detail %+v", idx)
	}
	if *idx.ImageSizeInBytes != max(*byDigest[apiAmd64].ImageSizeInBytes, *byDigest[apiArm64].ImageSizeInBytes) {
		t.Fatal("index size is not its largest platform image")
	}
	amd := byDigest[apiAmd64]
	if len(amd.ImageTags) != 0 || amd.ImageScanStatus.Status != types.ScanStatusActive ||
		amd.ImageScanFindingsSummary.FindingSeverityCounts["UNTRIAGED"] != 1 || !amd.ImagePushedAt.Equal(*idx.ImagePushedAt) {
		t.Fatalf("amd64 detail %+v", amd)
	}
	sig := byDigest[apiSig]
	if *sig.ArtifactMediaType != MediaTypeCosignSignature || *sig.SubjectManifestDigest != apiIndex || sig.ImageScanStatus.Status != types.ScanStatusUnsupportedImage {
		t.Fatalf("signature detail %+v", sig)
	}
	if sbom := byDigest[apiSBOM]; sbom.ImageScanStatus != nil || *sbom.ArtifactMediaType != MediaTypeSPDX {
		t.Fatalf("sbom detail %+v", sbom)
	}

	tagged := describeAll(t, c, &ecr.DescribeImagesInput{RepositoryName: aws.String("app/api-prod"), Filter: &types.DescribeImagesFilter{TagStatus: types.TagStatusTagged}})
	untagged := describeAll(t, c, &ecr.DescribeImagesInput{RepositoryName: aws.String("app/api-prod"), Filter: &types.DescribeImagesFilter{TagStatus: types.TagStatusUntagged}})
	if len(tagged) != 2 || len(untagged) != 3 {
		t.Fatalf("tagged %d untagged %d", len(tagged), len(untagged))
	}
}

func TestDescribeImagesByIDAndSummaries(t *testing.T) {
	s := startServer(t)
	loadSample(t, s)
	c := newClient(s, "us-east-1", 1)
	out, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("prod/web"),
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("stable")}, {ImageDigest: aws.String(webV1)}}})
	must(t, err)
	if len(out.ImageDetails) != 2 {
		t.Fatalf("%d details", len(out.ImageDetails))
	}
	v2, v1 := out.ImageDetails[0], out.ImageDetails[1]
	if *v2.ImageDigest != webV2 || v2.ImageScanFindingsSummary != nil || v2.ImageScanStatus.Status != types.ScanStatusComplete {
		t.Fatalf("v2 (summary omitted by seed) %+v", v2)
	}
	sum := v1.ImageScanFindingsSummary
	if sum == nil || sum.FindingSeverityCounts["HIGH"] != 1 || sum.FindingSeverityCounts["UNDEFINED"] != 1 ||
		!sum.ImageScanCompletedAt.Equal(mustTime("2025-02-10T12:03:00Z")) || *v1.ImageManifestMediaType != MediaTypeDockerManifest ||
		*v1.ArtifactMediaType != MediaTypeDockerConfig || *v1.ImageScanStatus.Description != "The scan was completed successfully." {
		t.Fatalf("v1 %+v summary %+v", v1, sum)
	}
	_, err = c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("prod/web"),
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("v1")}, {ImageTag: aws.String("gone")}}})
	wantCode(t, err, codeImageNotFound)
	_, err = c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("prod/web"),
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("v1")}}, MaxResults: aws.Int32(10)})
	wantCode(t, err, codeInvalidParameter)
	_, err = c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("no/such")})
	wantCode(t, err, codeRepositoryNotFound)
	_, err = c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("prod/web"), MaxResults: aws.Int32(1001)})
	wantCode(t, err, codeInvalidParameter)

	failed, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("tools/scratch-runner")})
	must(t, err)
	st := failed.ImageDetails[0].ImageScanStatus
	if st.Status != types.ScanStatusFailed || (*st.Description)[:21] != "UnsupportedImageError" || failed.ImageDetails[0].ImageScanFindingsSummary != nil {
		t.Fatalf("failed scan %+v", failed.ImageDetails[0])
	}
	never, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("legacy/batch")})
	must(t, err)
	if never.ImageDetails[0].ImageScanStatus != nil {
		t.Fatal("never-scanned image has a scan status")
	}
}

func TestBatchGetImageIndex(t *testing.T) {
	s := startServer(t)
	loadSample(t, s)
	c := newClient(s, "eu-west-1", 1)
	out, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("app/api-prod"),
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("1.4.0")}, {ImageTag: aws.String("missing")}, {ImageDigest: aws.String("sha256:zz")},
			{ImageDigest: aws.String(apiAmd64), ImageTag: aws.String("1.4.0")}, {}},
		AcceptedMediaTypes: []string{MediaTypeOCIIndex, MediaTypeOCIManifest}})
	must(t, err)
	if len(out.Images) != 1 || len(out.Failures) != 4 {
		t.Fatalf("images %d failures %+v", len(out.Images), out.Failures)
	}
	codes := []types.ImageFailureCode{}
	for _, f := range out.Failures {
		codes = append(codes, f.FailureCode)
	}
	want := []types.ImageFailureCode{types.ImageFailureCodeImageNotFound, types.ImageFailureCodeInvalidImageDigest,
		types.ImageFailureCodeImageTagDoesNotMatchDigest, types.ImageFailureCodeMissingDigestAndTag}
	if !slices.Equal(codes, want) {
		t.Fatalf("failure codes %v", codes)
	}
	img := out.Images[0]
	if *img.ImageId.ImageDigest != apiIndex || *img.ImageId.ImageTag != "1.4.0" || *img.ImageManifestMediaType != MediaTypeOCIIndex {
		t.Fatalf("image %+v", img)
	}
	var index struct {
		MediaType string `json:"mediaType"`
		Manifests []struct {
			MediaType string   `json:"mediaType"`
			Digest    string   `json:"digest"`
			Size      int64    `json:"size"`
			Platform  Platform `json:"platform"`
		} `json:"manifests"`
	}
	must(t, json.Unmarshal([]byte(*img.ImageManifest), &index))
	if index.MediaType != MediaTypeOCIIndex || len(index.Manifests) != 2 {
		t.Fatalf("index %s", *img.ImageManifest)
	}
	for i, want := range []struct{ digest, arch string }{{apiAmd64, "amd64"}, {apiArm64, "arm64"}} {
		m := index.Manifests[i]
		if m.Digest != want.digest || m.Platform.Architecture != want.arch || m.Platform.OS != "linux" || m.Size <= 0 || m.MediaType != MediaTypeOCIManifest {
			t.Fatalf("entry %d %+v", i, m)
		}
		// Every platform image is itself fetchable.
		child, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("app/api-prod"),
			ImageIds: []types.ImageIdentifier{{ImageDigest: aws.String(m.Digest)}}})
		must(t, err)
		if len(child.Images) != 1 || int64(len(*child.Images[0].ImageManifest)) != m.Size || child.Images[0].ImageId.ImageTag != nil {
			t.Fatalf("child %s: %+v", m.Digest, child)
		}
	}
}

func TestPutImageHelpers(t *testing.T) {
	now := mustTime("2026-01-01T00:00:00Z")
	s := startServer(t, WithClock(func() time.Time { return now }))
	must(t, s.CreateRepository("", "app", false))
	idx, err := s.PutImage("", "app", Image{Tags: []string{"v1"}, Manifests: []Image{
		{Platform: &Platform{Architecture: "amd64", OS: "linux"}}, {Platform: &Platform{Architecture: "arm64", OS: "linux"}}}})
	must(t, err)
	got, ok := s.Image("", "app", "v1")
	if !ok || got.Digest != idx || got.Digest != digestOf(got.Manifest) || got.ManifestMediaType != MediaTypeOCIIndex || !got.PushedAt.Equal(now) {
		t.Fatalf("index %+v", got)
	}
	if r, _ := s.Repository("", "app"); r.ImageCount != 3 {
		t.Fatalf("image count %d", r.ImageCount)
	}
	// Moving a tag leaves the old image untagged.
	v2, err := s.PutImage("", "app", Image{Tags: []string{"v1", "v2"}, PushedAt: now.Add(time.Hour)})
	must(t, err)
	if old, _ := s.Image("", "app", idx); len(old.Tags) != 0 {
		t.Fatalf("old image still tagged %v", old.Tags)
	}
	if moved, _ := s.Image("", "app", "v1"); moved.Digest != v2 {
		t.Fatal("tag did not move")
	}
	_, err = s.PutImage("", "app", Image{Digest: "sha256:nothex"})
	if err == nil {
		t.Fatal("bad digest accepted")
	}
	must(t, s.SetImageScan("", "app", "v2", &Scan{SeverityCounts: map[string]int32{"LOW": 1}}))
	if img, _ := s.Image("", "app", "v2"); img.Scan.Status != "COMPLETE" {
		t.Fatalf("scan %+v", img.Scan)
	}
}
