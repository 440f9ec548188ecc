package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func repositoryStatus(index int, name, status string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(dsAddr, tfjsonpath.New("repositories").AtSliceIndex(index),
		knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"name": knownvalue.StringExact(name), "status": knownvalue.StringExact(status),
		}))
}

func TestRepositoryCompliance_exemptionsAndThirdPartyScanners(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{
		"batch/old": false, "ml/train": false, "ml/serve": false, "web": false, "tmp-a": false})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, `
  on_failure = "none"
  exemption {
    repository = "batch/old"
    reason     = "Retired; no new images"
  }
  exemption {
    repository = "tmp-*"
    reason     = "Scratch repositories"
    expires    = "2020-01-01"
  }
  third_party_scanner {
    name               = "Trivy"
    repository_filters = ["ml/*"]
  }`),
		ConfigStateChecks: []statecheck.StateCheck{
			expectSummary(5, 0, 2, 1, 2, 0),
			repositoryStatus(0, "batch/old", "EXEMPT"),
			repositoryStatus(1, "ml/serve", "THIRD_PARTY"),
			repositoryStatus(2, "ml/train", "THIRD_PARTY"),
			repositoryStatus(3, "tmp-a", "NONCOMPLIANT"),
			statecheck.ExpectKnownValue(dsAddr,
				tfjsonpath.New("repositories").AtSliceIndex(3).AtMapKey("reasons").AtSliceIndex(2),
				knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"code": knownvalue.StringExact("EXEMPTION_EXPIRED")})),
			repositoryStatus(4, "web", "NONCOMPLIANT"),
		},
	})
}

// TestRepositoryCompliance_expiredExemptionIsReportedUnderThirdParty: an
// expired exemption is reported even where a third-party scanner passes the
// repository, without failing it.
func TestRepositoryCompliance_expiredExemptionIsReportedUnderThirdParty(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"ml/train": false})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, `
  exemption {
    repository = "ml/train"
    reason     = "Until the scanner was in place"
    expires    = "2020-01-01"
  }
  third_party_scanner {
    name               = "Trivy"
    repository_filters = ["ml/*"]
  }`),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("compliant", knownvalue.Bool(true)),
			repositoryStatus(0, "ml/train", "THIRD_PARTY"),
			expectAttr("report_json", knownvalue.StringRegexp(regexp.MustCompile(
				`"notes":\[\{"code":"EXEMPTION_EXPIRED","message":"its exemption expired at `+
					`2020-01-02T00:00:00Z and no longer counts"\}\]`))),
		},
	})
}

func TestRepositoryCompliance_kubescapePolicyReadsOnlyTheFlag(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"flagged": true, "ruled": false})
	seedRules(t, srv, "BASIC", map[string][]string{"SCAN_ON_PUSH": {"ruled"}})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, `
  policy     = "kubescape"
  on_failure = "none"`),
		ConfigStateChecks: []statecheck.StateCheck{
			repositoryStatus(0, "flagged", "COMPLIANT"),
			repositoryStatus(1, "ruled", "NONCOMPLIANT"),
			statecheck.ExpectKnownValue(dsAddr,
				tfjsonpath.New("repositories").AtSliceIndex(1).AtMapKey("reasons").AtSliceIndex(0),
				knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"code": knownvalue.StringExact("REPOSITORY_FLAG_OFF")})),
		},
	}, resource.TestStep{
		Config: dataSourceConfig(srv, `policy = "kubescape"`),
		ExpectError: regexp.MustCompile(
			`(?s)1 of 2 ECR repositories.*ruled: REPOSITORY_FLAG_OFF.*put-image-scanning-configuration`),
	})
}

func TestRepositoryCompliance_filtersAndMinimumFrequency(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{
		"prod-api": false, "prod-web": false, "prod-sandbox": false, "dev-api": false})
	seedRules(t, srv, "ENHANCED", map[string][]string{
		"CONTINUOUS_SCAN": {"prod-api"}, "SCAN_ON_PUSH": {"prod-*"}})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, `
  repository_filters         = ["prod-*"]
  exclude_repository_filters = ["*sandbox"]
  minimum_scan_frequency     = "CONTINUOUS_SCAN"
  require_enhanced_scanning  = true
  on_failure                 = "none"`),
		ConfigStateChecks: []statecheck.StateCheck{
			expectSummary(2, 1, 1, 0, 0, 0),
			repositoryStatus(0, "prod-api", "COMPLIANT"),
			repositoryStatus(1, "prod-web", "NONCOMPLIANT"),
			statecheck.ExpectKnownValue(dsAddr,
				tfjsonpath.New("repositories").AtSliceIndex(1).AtMapKey("reasons"),
				knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(
					map[string]knownvalue.Check{
						"code": knownvalue.StringExact("BELOW_MINIMUM_FREQUENCY")})})),
		},
	})
}

// expectCheckStatus is a plan check on the result of a check block (or any
// checkable object) as the plan reports it.
func expectCheckStatus(address, want string) plancheck.PlanCheck {
	return checkStatusCheck{address: address, want: want}
}

type checkStatusCheck struct {
	address string
	want    string // pass, fail, error or unknown
}

func (c checkStatusCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest,
	resp *plancheck.CheckPlanResponse) {
	var seen []string
	for _, r := range req.Plan.Checks {
		if r.Address.ToDisplay == c.address {
			if string(r.Status) != c.want {
				resp.Error = fmt.Errorf("%s has status %q, want %q", c.address, r.Status, c.want)
			}
			return
		}
		seen = append(seen, r.Address.ToDisplay)
	}
	resp.Error = fmt.Errorf("the plan has no result for %s, only for %q", c.address, seen)
}

func TestRepositoryCompliance_checkBlockWarnsInsteadOfFailing(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"unscanned": false})

	unitTest(t, resource.TestStep{
		Config: providerConfig(srv) + `
check "images_scanned" {
  data "c0221_repository_compliance" "scoped" {
    on_failure = "none"
  }
  assert {
    condition     = data.c0221_repository_compliance.scoped.compliant
    error_message = "Unscanned: ${join(", ", data.c0221_repository_compliance.scoped.noncompliant_repository_names)}"
  }
}

output "ok" { value = "plan and apply go on; the check only warns" }
`,
		// A data source scoped to a check block is read again on every plan.
		ExpectNonEmptyPlan: true,
		// The assertion saw the unscanned repository: the check failed, and
		// the plan went on.
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{expectCheckStatus("check.images_scanned", "fail")},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("ok",
				knownvalue.StringExact("plan and apply go on; the check only warns")),
		},
	})
}

func TestRepositoryCompliance_badInputIsAnAttributeError(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	cases := map[string]struct {
		body string
		want string
	}{
		"filter with upper case": {`repository_filters = ["Prod*"]`,
			`(?s)Invalid ECR repository filter.*repository_filters.*upper-case`},
		"empty filter list": {`repository_filters = []`,
			`(?s)repository_filters.*at least 1`},
		"invalid name": {`repository_names = ["-bad"]`,
			`(?s)Invalid ECR repository name`},
		"unknown policy": {`policy = "strict"`,
			`(?s)policy.*value must be one of`},
		"unknown frequency": {`minimum_scan_frequency = "DAILY"`,
			`(?s)minimum_scan_frequency.*value must be one of`},
		"names and filters together": {`
  repository_names   = ["app"]
  repository_filters = ["*"]`, `(?s)Invalid Attribute Combination`},
		"exemption without reason": {`
  exemption {
    repository = "app"
  }`, `(?s)"reason" is required`},
		"blank exemption reason": {`
  exemption {
    repository = "app"
    reason     = "  "
  }`, `(?s)Invalid value.*reason.*must not be empty`},
		"malformed expiry": {`
  exemption {
    repository = "app"
    reason     = "x"
    expires    = "31/12/2026"
  }`, `(?s)Invalid expiry.*RFC 3339`},
		"null filter": {`repository_filters = [null]`,
			`(?s)Null List Value.*repository_filters = \[null\].*contains a null value`},
		"null name": {`repository_names = ["app", null]`,
			`(?s)Null Set Value.*repository_names.*contains a null value`},
		"null exclude filter": {`exclude_repository_filters = ["tmp-*", null]`,
			`(?s)Null List Value.*exclude_repository_filters.*contains a null value`},
		"null third-party filter": {`
  third_party_scanner {
    name               = "Trivy"
    repository_filters = [null]
  }`, `(?s)Null List Value.*repository_filters = \[null\].*contains a null value`},
		"unknown on_failure": {`on_failure = "fail"`,
			`(?s)on_failure.*value must be one of`},
		"unknown report_detail": {`report_detail = "failing"`,
			`(?s)report_detail.*value must be one of`},
		"continuous under kubescape": {`
  policy                 = "kubescape"
  minimum_scan_frequency = "CONTINUOUS_SCAN"`,
			`(?s)Continuous scanning cannot be required under the kubescape policy`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			unitTest(t, resource.TestStep{
				Config:      dataSourceConfig(srv, tc.body),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(tc.want),
			})
		})
	}
}

func TestRepositoryCompliance_accessDeniedNamesTheAction(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": true})
	srv.DenyAccess("BatchGetRepositoryScanningConfiguration")

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, ""),
		ExpectError: regexp.MustCompile(`(?s)access denied to\s+ecr:BatchGetRepositoryScanningConfiguration` +
			`.*Allow ecr:BatchGetRepositoryScanningConfiguration`),
	})
}

func TestRepositoryCompliance_noRegionIsNamed(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	unitTest(t, resource.TestStep{
		Config: `
provider "c0221" {
  access_key = "AKIAEMULATOR00000000"
  secret_key = "emulator-secret-key"
  endpoints {
    ecr = "` + srv.URL() + `"
  }
}
data "c0221_repository_compliance" "test" {}
`,
		ExpectError: regexp.MustCompile(`(?s)No AWS Region configured.*AWS_REGION`),
	})
}

func TestRepositoryCompliance_basicRegistryFailsWhenEnhancedIsRequired(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": false})
	seedRules(t, srv, "BASIC", map[string][]string{"SCAN_ON_PUSH": {"*"}})

	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, `
  require_enhanced_scanning = true
  on_failure                = "none"`),
		ConfigStateChecks: []statecheck.StateCheck{
			expectSummary(1, 0, 1, 0, 0, 0),
			repositoryStatus(0, "app", "NONCOMPLIANT"),
			statecheck.ExpectKnownValue(dsAddr,
				tfjsonpath.New("repositories").AtSliceIndex(0).AtMapKey("reasons"),
				knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(
					map[string]knownvalue.Check{"code": knownvalue.StringExact("NOT_ENHANCED")})})),
		},
	})
}

// TestRepositoryCompliance_idIsStableForTheSameInputs: the same inputs give
// the same id, in one configuration and from one read to the next; other
// inputs give another.
func TestRepositoryCompliance_idIsStableForTheSameInputs(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": true, "web": true})
	config := providerConfig(srv) + `
data "c0221_repository_compliance" "one" {
  repository_names = ["app", "web"]
}
data "c0221_repository_compliance" "same" {
  repository_names = ["web", "app"]
}
data "c0221_repository_compliance" "other" {
  repository_names = ["app", "web"]
  policy           = "kubescape"
}
`
	id := tfjsonpath.New("id")
	const one = "data.c0221_repository_compliance.one"
	acrossReads := statecheck.CompareValue(compare.ValuesSame())
	unitTest(t,
		resource.TestStep{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs(one, id, "data.c0221_repository_compliance.same", id,
					compare.ValuesSame()),
				statecheck.CompareValuePairs(one, id, "data.c0221_repository_compliance.other", id,
					compare.ValuesDiffer()),
				acrossReads.AddStateValue(one, id),
			},
		},
		resource.TestStep{
			Config:            config,
			ConfigStateChecks: []statecheck.StateCheck{acrossReads.AddStateValue(one, id)},
		},
	)
}
