package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

const dsAddr = "data.c0221_repository_compliance.test"

// seedRepositories creates repositories with the given legacy flags.
func seedRepositories(t *testing.T, srv *ecremu.Server, flags map[string]bool) {
	t.Helper()
	for name, on := range flags {
		if err := srv.CreateRepository(testRegion, name, on); err != nil {
			t.Fatalf("creating %s: %v", name, err)
		}
	}
}

// seedRules replaces the registry scanning configuration.
func seedRules(t *testing.T, srv *ecremu.Server, scanType string, rules map[string][]string) {
	t.Helper()
	var out []ecremu.ScanningRule
	for _, freq := range []string{"SCAN_ON_PUSH", "CONTINUOUS_SCAN"} {
		filters, ok := rules[freq]
		if !ok {
			continue
		}
		rule := ecremu.ScanningRule{ScanFrequency: freq}
		for _, f := range filters {
			rule.RepositoryFilters = append(rule.RepositoryFilters,
				ecremu.RepositoryFilter{Filter: f, FilterType: "WILDCARD"})
		}
		out = append(out, rule)
	}
	if err := srv.SetRegistryScanning(testRegion, scanType, out); err != nil {
		t.Fatalf("setting registry scanning: %v", err)
	}
}

func dataSourceConfig(srv *ecremu.Server, body string) string {
	return providerConfig(srv) + fmt.Sprintf(`
data "c0221_repository_compliance" "test" {
%s
}
`, body)
}

func unitTest(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    steps,
	})
}

func expectAttr(attr string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(dsAddr, tfjsonpath.New(attr), v)
}

func expectSummary(total, compliant, noncompliant, exempt, thirdParty, notFound int64) statecheck.StateCheck {
	return expectAttr("summary", knownvalue.ObjectExact(map[string]knownvalue.Check{
		"total": knownvalue.Int64Exact(total), "compliant": knownvalue.Int64Exact(compliant),
		"noncompliant": knownvalue.Int64Exact(noncompliant), "exempt": knownvalue.Int64Exact(exempt),
		"third_party": knownvalue.Int64Exact(thirdParty), "not_found": knownvalue.Int64Exact(notFound),
	}))
}

func TestRepositoryCompliance_registryRuleCoversEverything(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app/api": false, "app/web": false, "tools": true})
	seedRules(t, srv, "BASIC", map[string][]string{"SCAN_ON_PUSH": {"*"}})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, ""),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("compliant", knownvalue.Bool(true)),
			expectAttr("registry_id", knownvalue.StringExact("123456789012")),
			expectAttr("region", knownvalue.StringExact(testRegion)),
			expectAttr("scan_type", knownvalue.StringExact("BASIC")),
			expectSummary(3, 3, 0, 0, 0, 0),
			expectAttr("noncompliant_repository_names", knownvalue.ListSizeExact(0)),
			statecheck.ExpectKnownValue(dsAddr, tfjsonpath.New("repositories").AtSliceIndex(0),
				knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"name":                    knownvalue.StringExact("app/api"),
					"status":                  knownvalue.StringExact("COMPLIANT"),
					"scan_frequency":          knownvalue.StringExact("SCAN_ON_PUSH"),
					"repository_scan_on_push": knownvalue.Bool(false),
					"applied_scan_filters":    knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("*")}),
					"arn": knownvalue.StringExact(
						"arn:aws:ecr:us-east-1:123456789012:repository/app/api"),
				})),
		},
	})
}

func TestRepositoryCompliance_failingRepositoriesFailThePlan(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{
		"prod/api": false, "dev/sandbox": false, "legacy/batch": true, "prod/web": false})
	seedRules(t, srv, "ENHANCED", map[string][]string{"CONTINUOUS_SCAN": {"prod/*"}})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, ""),
		ExpectError: regexp.MustCompile(`(?s)2 of 4 ECR repositories fail control C-0221.*` +
			`dev/sandbox: SCAN_MANUAL.*NO_MATCHING_RULE.*Inspector does not scan it.*` +
			`legacy/batch: SCAN_MANUAL.*put-registry-scanning-configuration.*` +
			`c0221_scan_enforcement`),
	})
}

func TestRepositoryCompliance_warningAndNoneModesKeepThePlan(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": false, "scanned": true})

	for _, mode := range []string{"warning", "none"} {
		t.Run(mode, func(t *testing.T) {
			unitTest(t, resource.TestStep{
				Config: dataSourceConfig(srv, fmt.Sprintf("on_failure = %q", mode)),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr("compliant", knownvalue.Bool(false)),
					expectAttr("on_failure", knownvalue.StringExact(mode)),
					expectSummary(2, 1, 1, 0, 0, 0),
					expectAttr("noncompliant_repository_names", knownvalue.ListExact(
						[]knownvalue.Check{knownvalue.StringExact("app")})),
				},
			})
		})
	}
}

func TestRepositoryCompliance_missingNamedRepositoryIsNotFound(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": true})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, `
  repository_names = ["app", "ghost"]
  on_failure       = "none"`),
		ConfigStateChecks: []statecheck.StateCheck{
			expectSummary(2, 1, 0, 0, 0, 1),
			expectAttr("noncompliant_repository_names", knownvalue.ListExact(
				[]knownvalue.Check{knownvalue.StringExact("ghost")})),
			statecheck.ExpectKnownValue(dsAddr, tfjsonpath.New("repositories").AtSliceIndex(1),
				knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"name":   knownvalue.StringExact("ghost"),
					"status": knownvalue.StringExact("NOT_FOUND"),
					"reasons": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(
						map[string]knownvalue.Check{"code": knownvalue.StringExact("NOT_FOUND")})}),
				})),
		},
	})
}

func TestRepositoryCompliance_emptyNamesReadsOnlyTheRules(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"unscanned": false})
	seedRules(t, srv, "ENHANCED", map[string][]string{
		"SCAN_ON_PUSH": {"team-*"}, "CONTINUOUS_SCAN": {"prod"}})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, "repository_names = []"),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("compliant", knownvalue.Bool(true)),
			expectSummary(0, 0, 0, 0, 0, 0),
			expectAttr("scan_type", knownvalue.StringExact("ENHANCED")),
			expectAttr("registry_rules", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.ObjectExact(map[string]knownvalue.Check{
					"scan_frequency": knownvalue.StringExact("SCAN_ON_PUSH"),
					"repository_filters": knownvalue.ListExact(
						[]knownvalue.Check{knownvalue.StringExact("team-*")}),
				}),
				knownvalue.ObjectExact(map[string]knownvalue.Check{
					"scan_frequency": knownvalue.StringExact("CONTINUOUS_SCAN"),
					"repository_filters": knownvalue.ListExact(
						[]knownvalue.Check{knownvalue.StringExact("prod")}),
				}),
			})),
		},
		Check: func(*terraformState) error {
			for _, op := range []string{"DescribeRepositories", "BatchGetRepositoryScanningConfiguration"} {
				if n := srv.CallCount(op); n != 0 {
					return fmt.Errorf("%s was called %d times for an empty selection", op, n)
				}
			}
			return nil
		},
	})
}

func TestRepositoryCompliance_everyPageIsJudged(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	if _, err := srv.SeedSynthetic(testRegion, 2500, ecremu.SyntheticConfig{}); err != nil {
		t.Fatal(err)
	}
	seedRules(t, srv, "BASIC", map[string][]string{"SCAN_ON_PUSH": {"prod", "staging"}})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, `
  on_failure    = "none"
  report_detail = "noncompliant"`),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("summary", knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"total": knownvalue.Int64Exact(2500)})),
		},
		Check: func(s *terraformState) error {
			ds := s.RootModule().Resources[dsAddr].Primary.Attributes
			if ds["summary.compliant"] == "0" || ds["summary.noncompliant"] == "0" {
				return fmt.Errorf("expected both passing and failing repositories, got %v/%v",
					ds["summary.compliant"], ds["summary.noncompliant"])
			}
			if ds["repositories.#"] != ds["summary.noncompliant"] {
				return fmt.Errorf("report_detail noncompliant kept %s repositories for %s failures",
					ds["repositories.#"], ds["summary.noncompliant"])
			}
			// Every page once, 25 names a BatchGet call. terraform reads the data
			// source during plan and again during apply.
			reads := srv.CallCount("GetRegistryScanningConfiguration")
			if got, want := srv.CallCount("DescribeRepositories"), 3*reads; got != want {
				return fmt.Errorf("DescribeRepositories called %d times, want %d", got, want)
			}
			if got, want := srv.CallCount("BatchGetRepositoryScanningConfiguration"), 100*reads; got != want {
				return fmt.Errorf("BatchGet called %d times, want %d", got, want)
			}
			return nil
		},
	})
}
