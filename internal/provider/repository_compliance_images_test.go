package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

func TestRepositoryCompliance_newestOf3000ImagesAcrossPages(t *testing.T) {
	t.Parallel()
	srv := scannedRegistry(t, "BASIC", "big")
	now := time.Now().UTC().Truncate(time.Second)
	// DescribeImages pages by digest: image i is on page i/1000+1, so the
	// newest (1500) is in the middle of the second of three pages. Push
	// times are scrambled; the oldest images carry a critical finding and
	// the `latest` tag.
	var newest string
	for i := range 3000 {
		pushed := now.Add(-time.Duration((i*7919)%3000+60) * time.Minute)
		img := ecremu.Image{Digest: fmt.Sprintf("sha256:%064x", i), PushedAt: pushed,
			Scan: basicScan("COMPLETE", "", pushed,
				ecremu.Finding{Name: "CVE-2020-0001", Severity: "CRITICAL"})}
		if i == 10 {
			img.Tags = []string{"latest"}
		}
		if i == 1500 {
			img.PushedAt, img.Tags = now.Add(-30*time.Minute), []string{"v1500"}
			img.Scan = basicScan("COMPLETE", "", img.PushedAt)
			newest = img.Digest
		}
		putImage(t, srv, "big", img)
	}

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, `
  image_findings {}`),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("compliant", knownvalue.Bool(true)),
			latestImage(0, "digest", knownvalue.StringExact(newest)),
			latestImage(0, "tags", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact("v1500")})),
		},
		Check: func(*terraformState) error {
			reads := srv.CallCount("GetRegistryScanningConfiguration")
			if got, want := srv.CallCount("DescribeImages"), 3*reads; got != want {
				return fmt.Errorf("DescribeImages called %d times for %d reads, want %d", got,
					reads, want)
			}
			if got := srv.CallCount("DescribeImageScanFindings"); got != reads {
				return fmt.Errorf("DescribeImageScanFindings called %d times for %d reads: "+
					"only the chosen image is read", got, reads)
			}
			return nil
		},
	})
}

func TestRepositoryCompliance_noImageCallsWithoutTheBlock(t *testing.T) {
	t.Parallel()
	srv := scannedRegistry(t, "BASIC", "app")
	putImage(t, srv, "app", ecremu.Image{Scan: basicScan("FAILED", "boom", time.Time{})})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, ""),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("compliant", knownvalue.Bool(true)),
			statecheck.ExpectKnownValue(dsAddr, tfjsonpath.New("repositories").AtSliceIndex(0).
				AtMapKey("latest_image"), knownvalue.Null()),
		},
		Check: func(*terraformState) error {
			for _, op := range []string{"DescribeImages", "BatchGetImage",
				"DescribeImageScanFindings"} {
				if n := srv.CallCount(op); n != 0 {
					return fmt.Errorf("%s called %d times without image_findings", op, n)
				}
			}
			return nil
		},
	})
}

func TestRepositoryCompliance_imageTagJudgesThatTag(t *testing.T) {
	t.Parallel()
	srv := scannedRegistry(t, "BASIC", "a-web", "b-tool")
	old := time.Now().UTC().Add(-3 * time.Hour)
	prod := putImage(t, srv, "a-web", ecremu.Image{Tags: []string{"prod"}, PushedAt: old,
		Scan: basicScan("COMPLETE", "", old, ecremu.Finding{Name: "CVE-9", Severity: "CRITICAL"})})
	putImage(t, srv, "a-web", ecremu.Image{Tags: []string{"dev"}, PushedAt: old.Add(time.Hour),
		Scan: basicScan("COMPLETE", "", old.Add(time.Hour))})
	putImage(t, srv, "b-tool", ecremu.Image{Tags: []string{"main"}, PushedAt: old,
		Scan: basicScan("COMPLETE", "", old)})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, `
  on_failure = "none"
  image_findings {
    image_tag = "prod"
  }`),
		ConfigStateChecks: []statecheck.StateCheck{
			expectRepo(0, "a-web", "NONCOMPLIANT", "FINDINGS_AT_OR_ABOVE_THRESHOLD", "COMPLETE"),
			latestImage(0, "digest", knownvalue.StringExact(prod)),
			// A repository without the tag has no image to judge and passes.
			expectRepo(1, "b-tool", "COMPLIANT", "", "NO_IMAGE"),
		},
	})
}

func TestRepositoryCompliance_imageFindingsBadInputFailsAtPlan(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	cases := []struct {
		body string
		want string
	}{
		{`severity_threshold = "SEVERE"`, `(?s)image_findings.severity_threshold.*must be one of`},
		{`undefined_severity_as = "UNKNOWN"`, `(?s)undefined_severity_as.*must be one of`},
		{`unsupported_image = "skip"`, `(?s)image_findings.unsupported_image.*must be one of`},
		{`pending_grace_period = "-5m"`, `(?s)Invalid duration.*negative`},
		{`pending_grace_period = "soon"`, `(?s)Invalid duration.*not a duration`},
		{`max_scan_age = "7 days"`, `(?s)Invalid duration.*not a duration`},
		{`max_scan_age = "0d"`, `(?s)Invalid duration.*zero`},
		{`pending_grace_period = "100000d2000000h"`, `(?s)Invalid duration.*longer than the maximum`},
		{`pending_grace_period = "2562048h"`, `(?s)Invalid duration.*longer than the maximum`},
		{`max_scan_age = "3651d"`, `(?s)Invalid duration.*longer than the maximum`},
		{`max_scan_age = "1d9223372036854775807ns"`, `(?s)Invalid duration.*longer than the maximum`},
		{`image_tag = "a:b"`, `(?s)Invalid image tag`},
		{"ignored_vulnerability {\n    id = \"CVE-1\"\n  }", `(?s)Missing required argument.*"reason"`},
		{"ignored_vulnerability {\n    reason = \"r\"\n  }", `(?s)Missing required argument.*"id"`},
		{"ignored_vulnerability {\n    id = \"CVE-1\"\n    reason = \" \"\n  }", `(?s)must not be empty`},
		{"ignored_vulnerability {\n    id = \"CVE-1\"\n    reason = \"r\"\n    expires = \"soon\"\n  }",
			`(?s)Invalid expiry.*neither an RFC 3339`},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:      dataSourceConfig(srv, "  image_findings {\n  "+tc.body+"\n  }"),
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	unitTest(t, steps...)
	if n := srv.CallCount("GetRegistryScanningConfiguration"); n != 0 {
		t.Errorf("bad input reached ECR %d times", n)
	}
}

func TestRepositoryCompliance_deniedImageReadNamesTheAction(t *testing.T) {
	t.Parallel()
	srv := scannedRegistry(t, "BASIC", "app")
	putImage(t, srv, "app", ecremu.Image{Scan: basicScan("COMPLETE", "", time.Now())})
	srv.DenyAccess("DescribeImageScanFindings")

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, "  image_findings {}"),
		ExpectError: regexp.MustCompile(`(?s)access denied to ecr:DescribeImageScanFindings.*` +
			`Allow ecr:DescribeImageScanFindings on repository\s+app\s+in us-east-1`),
	})
}
