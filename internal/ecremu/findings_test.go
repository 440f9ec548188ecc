package ecremu

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

func TestDescribeImageScanFindingsBasicPaging(t *testing.T) {
	s := startServer(t)
	loadSample(t, s)
	c := newClient(s, "us-east-1", 1)
	in := &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("prod/web"),
		ImageId: &types.ImageIdentifier{ImageTag: aws.String("v2")}, MaxResults: aws.Int32(2)}
	p := ecr.NewDescribeImageScanFindingsPaginator(c, in)
	var names []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(t, err)
		pages++
		f := out.ImageScanFindings
		if len(f.Findings) > 2 || f.FindingSeverityCounts["CRITICAL"] != 1 || f.FindingSeverityCounts["LOW"] != 4 {
			t.Fatalf("page %d: %+v", pages, f)
		}
		if *out.ImageId.ImageDigest != webV2 || *out.ImageId.ImageTag != "v2" || out.ImageScanStatus.Status != types.ScanStatusComplete {
			t.Fatalf("page %d header %+v", pages, out)
		}
		for _, x := range f.Findings {
			names = append(names, *x.Name)
		}
	}
	if pages != 3 || fmt.Sprint(names) != "[CVE-2025-1000 CVE-2025-1001 CVE-2025-1002 CVE-2025-1003 CVE-2025-1004]" {
		t.Fatalf("%d pages: %v", pages, names)
	}
}

func TestDescribeImageScanFindingsEnhanced(t *testing.T) {
	s := startServer(t)
	loadSample(t, s)
	c := newClient(s, "eu-west-1", 1)
	out, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("app/api-prod"),
		ImageId: &types.ImageIdentifier{ImageDigest: aws.String(apiAmd64)}, MaxResults: aws.Int32(1)})
	must(t, err)
	f := out.ImageScanFindings
	if out.NextToken == nil || len(f.EnhancedFindings) != 1 || f.Findings != nil || out.ImageScanStatus.Status != types.ScanStatusActive {
		t.Fatalf("first page %+v", out)
	}
	e := f.EnhancedFindings[0]
	if *e.Severity != "HIGH" || e.Score != 8.1 || *e.PackageVulnerabilityDetails.VulnerabilityId != "CVE-2025-2000" ||
		*e.PackageVulnerabilityDetails.VulnerablePackages[0].Name != "examplelib" || *e.AwsAccountId != DefaultAccount ||
		*e.Status != "ACTIVE" || *e.Type != "PACKAGE_VULNERABILITY" || e.FindingArn == nil || len(e.Resources) != 1 ||
		*e.Resources[0].Details.AwsEcrContainerImage.ImageHash != apiAmd64 || !e.FirstObservedAt.Equal(mustTime("2025-05-01T10:04:00Z")) ||
		*e.Remediation.Recommendation.Text == "" || e.PackageVulnerabilityDetails.Cvss[0].BaseScore != 8.1 {
		t.Fatalf("enhanced finding %+v", e)
	}
	if f.FindingSeverityCounts["UNTRIAGED"] != 1 || f.FindingSeverityCounts["HIGH"] != 1 {
		t.Fatalf("counts %v", f.FindingSeverityCounts)
	}
	next, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("app/api-prod"),
		ImageId: &types.ImageIdentifier{ImageDigest: aws.String(apiAmd64)}, MaxResults: aws.Int32(1), NextToken: out.NextToken})
	must(t, err)
	if next.NextToken != nil || len(next.ImageScanFindings.EnhancedFindings) != 1 || *next.ImageScanFindings.EnhancedFindings[0].Severity != "UNTRIAGED" {
		t.Fatalf("second page %+v", next)
	}
	// A token is bound to its image.
	_, err = c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("app/api-prod"),
		ImageId: &types.ImageIdentifier{ImageDigest: aws.String(apiArm64)}, NextToken: out.NextToken})
	wantCode(t, err, codeInvalidParameter)

	// A clean continuous scan answers empty counts and an empty list.
	clean, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("app/api-prod"),
		ImageId: &types.ImageIdentifier{ImageDigest: aws.String(apiArm64)}})
	must(t, err)
	if cf := clean.ImageScanFindings; cf.FindingSeverityCounts == nil || len(cf.FindingSeverityCounts) != 0 || cf.EnhancedFindings == nil {
		t.Fatalf("clean %+v", cf)
	}
	// COMPLETE before findings arrive: no counts, no findings.
	early, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("team-data/etl"),
		ImageId: &types.ImageIdentifier{ImageTag: aws.String("2025")}})
	must(t, err)
	if ef := early.ImageScanFindings; ef.FindingSeverityCounts != nil || ef.EnhancedFindings != nil || ef.Findings != nil {
		t.Fatalf("early %+v", ef)
	}
}

func TestDescribeImageScanFindingsErrors(t *testing.T) {
	s := startServer(t)
	loadSample(t, s)
	c := newClient(s, "us-east-1", 1)
	_, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("legacy/batch"),
		ImageId: &types.ImageIdentifier{ImageTag: aws.String("old")}})
	wantCode(t, err, codeScanNotFound)
	_, err = c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("legacy/batch"),
		ImageId: &types.ImageIdentifier{ImageTag: aws.String("nope")}})
	wantCode(t, err, codeImageNotFound)
	_, err = c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("no/repo"),
		ImageId: &types.ImageIdentifier{ImageTag: aws.String("old")}})
	wantCode(t, err, codeRepositoryNotFound)
	_, err = c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("legacy/batch"),
		ImageId: &types.ImageIdentifier{ImageTag: aws.String("old")}, MaxResults: aws.Int32(0)})
	wantCode(t, err, codeInvalidParameter)
	failed, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("tools/scratch-runner"),
		ImageId: &types.ImageIdentifier{ImageTag: aws.String("latest")}})
	must(t, err)
	if failed.ImageScanStatus.Status != types.ScanStatusFailed || failed.ImageScanFindings != nil {
		t.Fatalf("failed scan answered %+v", failed.ImageScanStatus)
	}
}

func TestStartImageScan(t *testing.T) {
	now := mustTime("2026-06-01T00:00:00Z")
	s := startServer(t, WithClock(func() time.Time { return now }))
	loadSample(t, s)
	c := newClient(s, "us-east-1", 1)
	id := &types.ImageIdentifier{ImageTag: aws.String("old")}
	out, err := c.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("legacy/batch"), ImageId: id})
	must(t, err)
	if out.ImageScanStatus.Status != types.ScanStatusInProgress {
		t.Fatalf("status %+v", out.ImageScanStatus)
	}
	res, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("legacy/batch"), ImageId: id})
	must(t, err)
	if res.ImageScanStatus.Status != types.ScanStatusComplete || len(res.ImageScanFindings.Findings) != 0 {
		t.Fatalf("after scan %+v", res)
	}
	_, err = c.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("legacy/batch"), ImageId: id})
	wantCode(t, err, codeLimitExceeded)

	west := newClient(s, "eu-west-1", 1)
	_, err = west.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("team-data/etl"),
		ImageId: &types.ImageIdentifier{ImageTag: aws.String("2025")}})
	wantCode(t, err, codeValidation)
	must(t, s.SetRegistryScanning("eu-west-1", ScanTypeBasic, nil))
	_, err = west.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("app/api-prod"),
		ImageId: &types.ImageIdentifier{ImageTag: aws.String("1.4.0")}})
	wantCode(t, err, codeUnsupportedImageType)
}
