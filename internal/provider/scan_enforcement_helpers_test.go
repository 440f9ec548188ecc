package provider

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

// The registry scanning configuration is one per registry and Region, so
// none of these tests runs in parallel with another (each also has its own
// emulator).

const (
	enfAddr   = "c0221_scan_enforcement.test"
	enfImport = ecremu.DefaultAccount + "/" + testRegion
)

func scanRule(freq string, filters ...string) ecremu.ScanningRule {
	rule := ecremu.ScanningRule{ScanFrequency: freq, RepositoryFilters: []ecremu.RepositoryFilter{}}
	for _, f := range filters {
		rule.RepositoryFilters = append(rule.RepositoryFilters,
			ecremu.RepositoryFilter{Filter: f, FilterType: ecremu.FilterTypeWildcard})
	}
	return rule
}

// seedScanning replaces the registry scanning configuration, keeping the
// rules in the given order.
func seedScanning(t *testing.T, srv *ecremu.Server, scanType string, rules ...ecremu.ScanningRule) {
	t.Helper()
	if err := srv.SetRegistryScanning(testRegion, scanType, rules); err != nil {
		t.Fatalf("setting registry scanning: %v", err)
	}
}

func describeScanning(c ecremu.ScanningConfiguration) string {
	parts := []string{c.ScanType}
	for _, r := range c.Rules {
		fs := make([]string, len(r.RepositoryFilters))
		for i, f := range r.RepositoryFilters {
			fs[i] = f.Filter
		}
		parts = append(parts, r.ScanFrequency+"["+strings.Join(fs, ",")+"]")
	}
	return strings.Join(parts, " ")
}

// scanningIs checks that the emulator holds exactly this configuration.
func scanningIs(srv *ecremu.Server, scanType string, rules ...ecremu.ScanningRule) error {
	want := describeScanning(ecremu.ScanningConfiguration{ScanType: scanType, Rules: rules})
	if got := describeScanning(srv.RegistryScanning(testRegion)); got != want {
		return fmt.Errorf("registry scanning is %q, want %q", got, want)
	}
	return nil
}

func checkScanning(srv *ecremu.Server, scanType string,
	rules ...ecremu.ScanningRule) resource.TestCheckFunc {
	return func(*terraformState) error { return scanningIs(srv, scanType, rules...) }
}

func enforcementConfig(srv *ecremu.Server, body string) string {
	return providerConfig(srv) + fmt.Sprintf(`
resource "c0221_scan_enforcement" "test" {
%s
}
`, body)
}

func enforcementTest(t *testing.T, checkDestroy resource.TestCheckFunc, steps ...resource.TestStep) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkDestroy,
		Steps:                    steps,
	})
}

func expectEnf(attr string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(enfAddr, tfjsonpath.New(attr), v)
}

func namesList(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.ListExact(checks)
}

func stringSetOf(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.SetExact(checks)
}

// errRe matches the phrases in order, whatever line wrapping Terraform puts
// into its diagnostics.
func errRe(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		parts[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(strings.Join(parts, `[\s\S]*`))
}

// emptyAfterApply asserts that a plan right after the apply shows nothing.
var emptyAfterApply = resource.ConfigPlanChecks{
	PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
}

// planThenEmpty asserts that the step plans this action on the resource
// (and whatever else is given), and that a plan right after its apply shows
// nothing.
func planThenEmpty(action plancheck.ResourceActionType,
	more ...plancheck.PlanCheck) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{
		PreApply: append([]plancheck.PlanCheck{plancheck.ExpectResourceAction(enfAddr, action)},
			more...),
		PostApplyPostRefresh: emptyAfterApply.PostApplyPostRefresh,
	}
}

// flagsAre checks the legacy scanOnPush flag of each named repository.
func flagsAre(srv *ecremu.Server, want map[string]bool) error {
	for name, on := range want {
		repo, ok := srv.Repository(testRegion, name)
		if !ok {
			return fmt.Errorf("repository %s is gone", name)
		}
		if repo.ScanOnPush != on {
			return fmt.Errorf("repository %s has scanOnPush %t, want %t", name, repo.ScanOnPush, on)
		}
	}
	return nil
}

func checkFlags(srv *ecremu.Server, want map[string]bool) resource.TestCheckFunc {
	return func(*terraformState) error { return flagsAre(srv, want) }
}

// flagsThenClearFaults is the PreConfig of the step after a failed one: it
// fails the test unless the failure left exactly these legacy flags, then
// lifts every injected fault.
func flagsThenClearFaults(t *testing.T, srv *ecremu.Server, want map[string]bool) func() {
	return func() {
		t.Helper()
		if err := flagsAre(srv, want); err != nil {
			t.Fatalf("after the failed step: %v", err)
		}
		srv.ClearFaults()
	}
}

// scanningThenClearFaults is flagsThenClearFaults for the registry scanning
// configuration.
func scanningThenClearFaults(t *testing.T, srv *ecremu.Server, scanType string,
	rules ...ecremu.ScanningRule) func() {
	return func() {
		t.Helper()
		if err := scanningIs(srv, scanType, rules...); err != nil {
			t.Fatalf("after the failed step: %v", err)
		}
		srv.ClearFaults()
	}
}

// fourReposOff is the registry of the halfway tests: r1 to r4, every legacy
// flag off.
func fourReposOff() map[string]bool {
	return map[string]bool{"r1": false, "r2": false, "r3": false, "r4": false}
}

// convergeAfterHalfway is the step after an apply denied at r3 in repository
// mode: the failure must have turned on exactly r1 and r2; with the fault
// lifted, the plan takes this action, the apply turns all four on and the
// state records all four as changed.
func convergeAfterHalfway(t *testing.T, srv *ecremu.Server, config string,
	action plancheck.ResourceActionType) resource.TestStep {
	return resource.TestStep{
		PreConfig: flagsThenClearFaults(t, srv, map[string]bool{"r1": true, "r2": true,
			"r3": false, "r4": false}),
		Config:           config,
		ConfigPlanChecks: planThenEmpty(action),
		Check: checkFlags(srv, map[string]bool{"r1": true, "r2": true, "r3": true,
			"r4": true}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectEnf("changed_repository_names", stringSetOf("r1", "r2", "r3", "r4")),
		},
	}
}

// denyAfter lets n calls of the operation through and denies the rest, as
// an IAM policy scoped to some repositories would.
func denyAfter(srv *ecremu.Server, op string, n int) {
	var mu sync.Mutex
	calls := 0
	srv.SetHook(op, func(string, string) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == n {
			srv.DenyAccess(op)
		}
	})
}
