package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Provider functions need Terraform 1.8 or OpenTofu 1.7.
var functionsVersionChecks = []tfversion.TerraformVersionCheck{
	tfversion.SkipBelow(tfversion.Version1_8_0),
}

// functionTest runs one step that calls provider functions, skipped by
// version check on CLIs that have none.
func functionTest(t *testing.T, step resource.TestStep) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   functionsVersionChecks,
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    []resource.TestStep{step},
	})
}

func TestFilterMatchesFunction_ecrSemantics(t *testing.T) {
	t.Parallel()
	functionTest(t, resource.TestStep{
		Config: `
output "substring"    { value = provider::c0221::filter_matches("prod", "team/prod/svc") }
output "anchored"     { value = provider::c0221::filter_matches("*prod", "prod-repo") }
output "middle_star"  { value = provider::c0221::filter_matches("prod*repo", "prod-repo") }
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("substring", knownvalue.Bool(true)),
			statecheck.ExpectKnownOutputValue("anchored", knownvalue.Bool(false)),
			statecheck.ExpectKnownOutputValue("middle_star", knownvalue.Bool(true)),
		},
	})
}

func TestFilterMatchesFunction_invalidFilterNamesArgument(t *testing.T) {
	t.Parallel()
	functionTest(t, resource.TestStep{
		Config:      `output "x" { value = provider::c0221::filter_matches("Prod", "prod") }`,
		ExpectError: regexp.MustCompile(`(?s)Invalid value for "filter" parameter.*upper-case`),
	})
}

func TestEffectiveScanFrequencyFunction_precedence(t *testing.T) {
	t.Parallel()
	rules := `[
  { scan_frequency = "SCAN_ON_PUSH", repository_filters = ["team-*"] },
  { scan_frequency = "CONTINUOUS_SCAN", repository_filters = ["prod"] },
]`
	functionTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
locals { rules = %s }
output "both_match" {
  value = provider::c0221::effective_scan_frequency("ENHANCED", local.rules, "team-prod", false)
}
output "push_only" {
  value = provider::c0221::effective_scan_frequency("ENHANCED", local.rules, "team-web", false)
}
output "enhanced_no_rule" {
  value = provider::c0221::effective_scan_frequency("ENHANCED", local.rules, "other", true)
}
output "basic_legacy_flag" {
  value = provider::c0221::effective_scan_frequency("BASIC", [], "other", true)
}
`, rules),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("both_match", knownvalue.StringExact("CONTINUOUS_SCAN")),
			statecheck.ExpectKnownOutputValue("push_only", knownvalue.StringExact("SCAN_ON_PUSH")),
			statecheck.ExpectKnownOutputValue("enhanced_no_rule", knownvalue.StringExact("MANUAL")),
			statecheck.ExpectKnownOutputValue("basic_legacy_flag", knownvalue.StringExact("SCAN_ON_PUSH")),
		},
	})
}

func TestEffectiveScanFrequencyFunction_rejectsContinuousUnderBasic(t *testing.T) {
	t.Parallel()
	functionTest(t, resource.TestStep{
		Config: `
output "x" {
  value = provider::c0221::effective_scan_frequency("BASIC",
    [{ scan_frequency = "CONTINUOUS_SCAN", repository_filters = ["*"] }], "app", false)
}`,
		ExpectError: regexp.MustCompile(`(?s)"rules" parameter.*rules\[0\].*not allowed under BASIC`),
	})
}

func TestEffectiveScanFrequencyFunction_unknownScanType(t *testing.T) {
	t.Parallel()
	functionTest(t, resource.TestStep{
		Config:      `output "x" { value = provider::c0221::effective_scan_frequency("FULL", [], "app", false) }`,
		ExpectError: regexp.MustCompile(`(?s)"scan_type" parameter.*"FULL" is not one of`),
	})
}

// TestEffectiveScanFrequencyFunction_refusesWhatECRRefuses: a null inside
// `rules`, and a rule set ECR would not store, are errors in the `rules`
// argument, never a provider conversion error.
func TestEffectiveScanFrequencyFunction_refusesWhatECRRefuses(t *testing.T) {
	t.Parallel()
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("%q", fmt.Sprintf("team-%d", i))
	}
	cases := map[string]struct {
		rules string
		want  string
	}{
		"null scan_frequency": {`[{ scan_frequency = null, repository_filters = ["*"] }]`,
			`rules\[0\]: scan_frequency\s+is\s+null`},
		"null filter": {`[{ scan_frequency = "SCAN_ON_PUSH", repository_filters = ["a", null] }]`,
			`rules\[0\]: repository_filters\[1\]\s+is\s+null`},
		"null filter list": {`[{ scan_frequency = "SCAN_ON_PUSH", repository_filters = null }]`,
			`rules\[0\]: repository_filters\s+is\s+null`},
		"null rule": {`[{ scan_frequency = "SCAN_ON_PUSH", repository_filters = ["*"] }, null]`,
			`rules\[1\]\s+is\s+null`},
		"empty filter list": {`[{ scan_frequency = "SCAN_ON_PUSH", repository_filters = [] }]`,
			`rules\[0\]: no repository\s+filters.*1\s+to\s+100`},
		"more than 100 filters": {`[{ scan_frequency = "SCAN_ON_PUSH", repository_filters = [` +
			strings.Join(many, ", ") + `] }]`, `rules\[0\]: 101 repository\s+filters.*at\s+most\s+100`},
		"more than 2 rules": {`[
    { scan_frequency = "SCAN_ON_PUSH", repository_filters = ["a"] },
    { scan_frequency = "CONTINUOUS_SCAN", repository_filters = ["b"] },
    { scan_frequency = "SCAN_ON_PUSH", repository_filters = ["c"] },
  ]`, `3 rules.*at\s+most\s+2`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   functionsVersionChecks,
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
output "x" {
  value = provider::c0221::effective_scan_frequency("ENHANCED", %s, "app", false)
}`, tc.rules),
					ExpectError: regexp.MustCompile(`(?s)Invalid value for "rules" parameter.*` +
						tc.want),
				}},
			})
		})
	}
}

// TestFilterMatchesFunction_nullArgumentNamesIt: Terraform refuses a null
// argument before the provider sees it, naming the argument.
func TestFilterMatchesFunction_nullArgumentNamesIt(t *testing.T) {
	t.Parallel()
	functionTest(t, resource.TestStep{
		Config:      `output "x" { value = provider::c0221::filter_matches(null, "prod") }`,
		ExpectError: regexp.MustCompile(`(?s)Invalid function argument.*"filter".*null`),
	})
}
