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

// putImage stores an image in the emulator and returns its digest.
func putImage(t *testing.T, srv *ecremu.Server, repo string, img ecremu.Image) string {
	t.Helper()
	d, err := srv.PutImage(testRegion, repo, img)
	if err != nil {
		t.Fatalf("pushing to %s: %v", repo, err)
	}
	return d
}

// scannedRegistry starts an emulator holding the named repositories, legacy
// flag off, and one registry rule that scans them all: on push under BASIC,
// continuously under ENHANCED. Only the image gate can fail them.
func scannedRegistry(t *testing.T, scanType string, names ...string) *ecremu.Server {
	t.Helper()
	srv := startEmulator(t)
	for _, n := range names {
		seedRepositories(t, srv, map[string]bool{n: false})
	}
	freq := "SCAN_ON_PUSH"
	if scanType == "ENHANCED" {
		freq = "CONTINUOUS_SCAN"
	}
	seedRules(t, srv, scanType, map[string][]string{freq: {"*"}})
	return srv
}

func basicScan(status, description string, done time.Time,
	findings ...ecremu.Finding) *ecremu.Scan {
	s := &ecremu.Scan{Status: status, Description: description, CompletedAt: done,
		Findings: findings}
	if status == "COMPLETE" && len(findings) == 0 {
		s.SeverityCounts, s.Findings = map[string]int32{}, []ecremu.Finding{}
	}
	return s
}

// expectRepo checks one repository's status, its only reason code ("" for
// none) and its latest image's scan state.
func expectRepo(index int, name, status, code, state string) statecheck.StateCheck {
	var reasons knownvalue.Check = knownvalue.ListSizeExact(0)
	if code != "" {
		reasons = knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(
			map[string]knownvalue.Check{"code": knownvalue.StringExact(code)})})
	}
	return statecheck.ExpectKnownValue(dsAddr, tfjsonpath.New("repositories").AtSliceIndex(index),
		knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"name": knownvalue.StringExact(name), "status": knownvalue.StringExact(status),
			"reasons": reasons,
			"latest_image": knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"scan_state": knownvalue.StringExact(state)}),
		}))
}

func latestImage(index int, attr string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(dsAddr, tfjsonpath.New("repositories").
		AtSliceIndex(index).AtMapKey("latest_image").AtMapKey(attr), v)
}

func TestRepositoryCompliance_findingsReasonCodesUnderBasic(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	old := now.Add(-2 * time.Hour)
	srv := scannedRegistry(t, "BASIC", "a-findings", "b-unsupported", "c-failed", "d-pending",
		"e-pending-new", "f-stale", "g-never", "h-unknown", "i-empty", "j-clean", "k-limit")

	putImage(t, srv, "a-findings", ecremu.Image{PushedAt: old, Scan: basicScan("COMPLETE", "",
		old, ecremu.Finding{Name: "CVE-2026-0001", Severity: "HIGH"})})
	putImage(t, srv, "b-unsupported", ecremu.Image{PushedAt: old, Scan: basicScan("FAILED",
		"UnsupportedImageError: The operating system and/or package manager are not supported.",
		time.Time{})})
	putImage(t, srv, "c-failed", ecremu.Image{PushedAt: old,
		Scan: basicScan("FAILED", "Internal error while scanning", time.Time{})})
	putImage(t, srv, "d-pending", ecremu.Image{PushedAt: old,
		Scan: basicScan("IN_PROGRESS", "", time.Time{})})
	putImage(t, srv, "e-pending-new", ecremu.Image{PushedAt: now.Add(-time.Minute),
		Scan: basicScan("IN_PROGRESS", "", time.Time{})})
	putImage(t, srv, "f-stale", ecremu.Image{PushedAt: now.AddDate(0, 0, -10),
		Scan: basicScan("COMPLETE", "", now.AddDate(0, 0, -10))})
	putImage(t, srv, "g-never", ecremu.Image{PushedAt: old})
	putImage(t, srv, "h-unknown", ecremu.Image{PushedAt: old,
		Scan: basicScan("QUANTUM_SCANNING", "", old)})
	putImage(t, srv, "k-limit", ecremu.Image{PushedAt: old,
		Scan: basicScan("LIMIT_EXCEEDED", "", time.Time{})})
	// The newest container image is judged: not the older one tagged
	// latest, not the signature pushed after it.
	putImage(t, srv, "j-clean", ecremu.Image{Tags: []string{"latest"}, PushedAt: old.Add(-time.Hour),
		Scan: basicScan("COMPLETE", "", old, ecremu.Finding{Name: "CVE-1", Severity: "CRITICAL"})})
	cleanDigest := putImage(t, srv, "j-clean", ecremu.Image{Tags: []string{"v2", "stable"},
		PushedAt: old, Scan: basicScan("COMPLETE", "", old.Add(time.Minute))})
	putImage(t, srv, "j-clean", ecremu.Image{PushedAt: now, SubjectDigest: cleanDigest,
		ArtifactMediaType: ecremu.MediaTypeCosignSignature})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, `
  on_failure = "none"
  image_findings {
    max_scan_age = "7d"
  }`),
		ConfigStateChecks: []statecheck.StateCheck{
			expectSummary(11, 3, 8, 0, 0, 0),
			expectRepo(0, "a-findings", "NONCOMPLIANT", "FINDINGS_AT_OR_ABOVE_THRESHOLD", "COMPLETE"),
			expectRepo(1, "b-unsupported", "NONCOMPLIANT", "IMAGE_UNSUPPORTED", "UNSUPPORTED"),
			expectRepo(2, "c-failed", "NONCOMPLIANT", "SCAN_FAILED", "FAILED"),
			expectRepo(3, "d-pending", "NONCOMPLIANT", "SCAN_PENDING", "PENDING"),
			expectRepo(4, "e-pending-new", "COMPLIANT", "", "PENDING"),
			expectRepo(5, "f-stale", "NONCOMPLIANT", "SCAN_STALE", "STALE"),
			expectRepo(6, "g-never", "NONCOMPLIANT", "NO_SCAN", "NO_SCAN"),
			expectRepo(7, "h-unknown", "NONCOMPLIANT", "SCAN_STATE_UNKNOWN", "UNKNOWN"),
			expectRepo(8, "i-empty", "COMPLIANT", "", "NO_IMAGE"),
			expectRepo(9, "j-clean", "COMPLIANT", "", "COMPLETE"),
			expectRepo(10, "k-limit", "NONCOMPLIANT", "SCAN_FAILED", "FAILED"),
			latestImage(0, "severity_counts", knownvalue.MapExact(map[string]knownvalue.Check{
				"HIGH": knownvalue.Int64Exact(1)})),
			latestImage(1, "scan_status", knownvalue.StringExact("FAILED")),
			latestImage(6, "scan_status", knownvalue.Null()),
			latestImage(8, "digest", knownvalue.Null()),
			latestImage(9, "digest", knownvalue.StringExact(cleanDigest)),
			latestImage(9, "tags", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact("stable"), knownvalue.StringExact("v2")})),
			latestImage(9, "pushed_at", knownvalue.StringExact(old.Format(time.RFC3339))),
			latestImage(9, "scan_completed_at", knownvalue.StringExact(
				old.Add(time.Minute).Format(time.RFC3339))),
		},
	})
}

func TestRepositoryCompliance_findingsUnderEnhanced(t *testing.T) {
	t.Parallel()
	old := time.Now().UTC().Add(-2 * time.Hour)
	srv := scannedRegistry(t, "ENHANCED", "a-unsupported", "b-settling", "c-expired",
		"d-counts", "e-index", "f-unavailable")
	active := func(counts map[string]int32, findings ...ecremu.EnhancedFinding) *ecremu.Scan {
		return &ecremu.Scan{Status: "ACTIVE", CompletedAt: old, SeverityCounts: counts,
			EnhancedFindings: findings}
	}

	putImage(t, srv, "a-unsupported", ecremu.Image{PushedAt: old,
		Scan: &ecremu.Scan{Status: "UNSUPPORTED_IMAGE"}})
	// COMPLETE before Inspector's findings arrive: not settled, not clean.
	putImage(t, srv, "b-settling", ecremu.Image{PushedAt: old,
		Scan: &ecremu.Scan{Status: "COMPLETE", CompletedAt: old}})
	putImage(t, srv, "c-expired", ecremu.Image{PushedAt: old,
		Scan: &ecremu.Scan{Status: "SCAN_ELIGIBILITY_EXPIRED", SeverityCounts: map[string]int32{}}})
	putImage(t, srv, "d-counts", ecremu.Image{PushedAt: old, Scan: active(map[string]int32{
		"MEDIUM": 2, "LOW": 3, "INFORMATIONAL": 1, "UNDEFINED": 4, "UNTRIAGED": 5})})
	putImage(t, srv, "f-unavailable", ecremu.Image{PushedAt: old,
		Scan: &ecremu.Scan{Status: "FINDINGS_UNAVAILABLE"}})
	index := putImage(t, srv, "e-index", ecremu.Image{Tags: []string{"v3"}, PushedAt: old,
		Manifests: []ecremu.Image{
			{Platform: &ecremu.Platform{Architecture: "amd64", OS: "linux"},
				Scan: active(map[string]int32{})},
			{Platform: &ecremu.Platform{Architecture: "arm64", OS: "linux"}, Scan: active(nil,
				ecremu.EnhancedFinding{Severity: "CRITICAL",
					PackageVulnerabilityDetails: &ecremu.PackageVulnerabilityDetails{
						VulnerabilityID: "CVE-2026-4242"}})},
		}})

	checks := func(undefinedFails bool) []statecheck.StateCheck {
		countsStatus, countsCode := "COMPLIANT", ""
		if undefinedFails {
			countsStatus, countsCode = "NONCOMPLIANT", "FINDINGS_AT_OR_ABOVE_THRESHOLD"
		}
		return []statecheck.StateCheck{
			expectRepo(0, "a-unsupported", "NONCOMPLIANT", "IMAGE_UNSUPPORTED", "UNSUPPORTED"),
			expectRepo(1, "b-settling", "NONCOMPLIANT", "SCAN_PENDING", "PENDING"),
			expectRepo(2, "c-expired", "NONCOMPLIANT", "SCAN_STALE", "STALE"),
			expectRepo(3, "d-counts", countsStatus, countsCode, "ACTIVE"),
			expectRepo(4, "e-index", "NONCOMPLIANT", "FINDINGS_AT_OR_ABOVE_THRESHOLD", "ACTIVE"),
			expectRepo(5, "f-unavailable", "NONCOMPLIANT", "SCAN_STATE_UNKNOWN", "UNKNOWN"),
			latestImage(3, "severity_counts", knownvalue.MapExact(map[string]knownvalue.Check{
				"MEDIUM": knownvalue.Int64Exact(2), "LOW": knownvalue.Int64Exact(3),
				"INFORMATIONAL": knownvalue.Int64Exact(1), "UNDEFINED": knownvalue.Int64Exact(4),
				"UNTRIAGED": knownvalue.Int64Exact(5)})),
			latestImage(4, "digest", knownvalue.StringExact(index)),
			latestImage(4, "tags", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact("v3")})),
			latestImage(4, "severity_counts", knownvalue.MapExact(map[string]knownvalue.Check{
				"CRITICAL": knownvalue.Int64Exact(1)})),
		}
	}
	unitTest(t,
		resource.TestStep{
			Config: dataSourceConfig(srv, `
  on_failure = "none"
  image_findings {}`),
			ConfigStateChecks: checks(false),
		},
		// UNDEFINED and the unknown UNTRIAGED key rank as HIGH now.
		resource.TestStep{
			Config: dataSourceConfig(srv, `
  on_failure = "none"
  image_findings {
    undefined_severity_as = "HIGH"
  }`),
			ConfigStateChecks: checks(true),
		},
		resource.TestStep{
			Config: dataSourceConfig(srv, `
  repository_names = ["a-unsupported"]
  image_findings {
    unsupported_image = "ignore"
  }`),
			ConfigStateChecks: []statecheck.StateCheck{expectAttr("compliant", knownvalue.Bool(true))},
		},
	)
}

func TestRepositoryCompliance_findingAtThresholdFailsUntilIgnoredWithAReason(t *testing.T) {
	t.Parallel()
	srv := scannedRegistry(t, "BASIC", "shop/api")
	pushed := time.Now().UTC().Add(-time.Hour)
	putImage(t, srv, "shop/api", ecremu.Image{Tags: []string{"1.0"}, PushedAt: pushed,
		Scan: basicScan("COMPLETE", "", pushed,
			ecremu.Finding{Name: "CVE-2026-1111", Severity: "HIGH"},
			ecremu.Finding{Name: "CVE-2026-2222", Severity: "LOW"})})
	ignore := func(expires string) string {
		return dataSourceConfig(srv, fmt.Sprintf(`
  image_findings {
    ignored_vulnerability {
      id      = "CVE-2026-1111"
      reason  = "Not reachable: the affected parser is never called"
      expires = %q
    }
  }`, expires))
	}

	unitTest(t,
		resource.TestStep{
			Config: dataSourceConfig(srv, "  image_findings {}"),
			ExpectError: regexp.MustCompile(`(?s)1 of 1 ECR repositories fail.*shop/api: ` +
				`FINDINGS_AT_OR_ABOVE_THRESHOLD: image sha256:\w+ has 1 HIGH finding.*` +
				`ignored_vulnerability`),
		},
		resource.TestStep{
			Config: ignore(time.Now().AddDate(1, 0, 0).Format(time.DateOnly)),
			ConfigStateChecks: []statecheck.StateCheck{
				expectAttr("compliant", knownvalue.Bool(true)),
				expectRepo(0, "shop/api", "COMPLIANT", "", "COMPLETE"),
				latestImage(0, "severity_counts", knownvalue.MapExact(map[string]knownvalue.Check{
					"HIGH": knownvalue.Int64Exact(0), "LOW": knownvalue.Int64Exact(1)})),
				latestImage(0, "ignored_findings", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"id": knownvalue.StringExact("CVE-2026-1111"), "severity": knownvalue.StringExact("HIGH"),
						"expired": knownvalue.Bool(false)})})),
			},
		},
		resource.TestStep{
			Config: ignore("2020-01-01"),
			ExpectError: regexp.MustCompile(
				`(?s)FINDINGS_AT_OR_ABOVE_THRESHOLD.*counting again: CVE-2026-1111`),
		},
	)
}
