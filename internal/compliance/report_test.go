package compliance

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func verdict(name string, status Status, reasons ...Code) Verdict {
	v := Verdict{
		Name: name, Status: status, Frequency: FrequencyManual,
		Reasons: []Reason{}, AppliedFilters: []string{},
	}
	for _, c := range reasons {
		v.Reasons = append(v.Reasons, Reason{Code: c, Message: "because " + string(c)})
	}
	return v
}

// mixedVerdicts holds every status once, and two compliant repositories.
func mixedVerdicts() []Verdict {
	return []Verdict{
		verdict("zeta", StatusCompliant),
		verdict("gone", StatusNotFound, CodeNotFound),
		verdict("alpha", StatusNoncompliant, CodeScanManual, CodeNoMatchingRule),
		verdict("legacy", StatusExempt, CodeScanManual),
		verdict("vendored", StatusThirdParty, CodeScanManual),
		verdict("beta", StatusCompliant),
	}
}

func names(vs []Verdict) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

func TestNewReport_sortsAndCountsEveryStatus(t *testing.T) {
	reg := registry(ScanTypeBasic, rule(FrequencyScanOnPush, "prod"))
	r := NewReport(reg, "eu-west-1", PolicyEffective, mixedVerdicts(), DetailAll)

	want := Summary{Total: 6, Compliant: 2, Noncompliant: 1, Exempt: 1, ThirdParty: 1, NotFound: 1}
	if r.Summary != want {
		t.Errorf("Summary = %+v, want %+v", r.Summary, want)
	}
	if r.Compliant {
		t.Error("Compliant = true with a NONCOMPLIANT and a NOT_FOUND repository")
	}
	wantNames := []string{"alpha", "beta", "gone", "legacy", "vendored", "zeta"}
	if got := names(r.Repositories); !slices.Equal(got, wantNames) {
		t.Errorf("Repositories = %q, want %q", got, wantNames)
	}
	if want := []string{"alpha", "gone"}; !slices.Equal(r.NoncompliantNames, want) {
		t.Errorf("NoncompliantNames = %q, want %q (NOT_FOUND fails too)", r.NoncompliantNames, want)
	}
	if r.RegistryID != reg.ID || r.Region != "eu-west-1" || r.ScanType != ScanTypeBasic ||
		r.Policy != PolicyEffective {
		t.Errorf("header = %s %s %s %s, want the registry's", r.RegistryID, r.Region, r.ScanType,
			r.Policy)
	}
}

func TestNewReport_compliantWhenNothingFails(t *testing.T) {
	vs := []Verdict{
		verdict("a", StatusCompliant),
		verdict("b", StatusExempt, CodeScanManual),
		verdict("c", StatusThirdParty, CodeScanManual),
	}
	r := NewReport(registry(ScanTypeBasic), "eu-west-1", PolicyEffective, vs, DetailAll)
	if !r.Compliant || len(r.NoncompliantNames) != 0 {
		t.Errorf("Compliant, NoncompliantNames = %v, %q; EXEMPT and THIRD_PARTY pass",
			r.Compliant, r.NoncompliantNames)
	}
}

func TestNewReport_emptySelectionIsCompliantWithEmptyLists(t *testing.T) {
	r := NewReport(registry(ScanTypeBasic), "eu-west-1", PolicyEffective, nil, DetailAll)
	if !r.Compliant || r.Summary.Total != 0 {
		t.Errorf("Compliant, Total = %v, %d, want true, 0", r.Compliant, r.Summary.Total)
	}
	js := r.JSON()
	for _, want := range []string{
		`"registry_rules":[]`, `"noncompliant_repository_names":[]`, `"repositories":[]`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s: %s", want, js)
		}
	}
}

func TestNewReport_noncompliantDetailKeepsCountsDropsPassing(t *testing.T) {
	r := NewReport(registry(ScanTypeBasic), "eu-west-1", PolicyEffective, mixedVerdicts(),
		DetailNoncompliant)

	want := Summary{Total: 6, Compliant: 2, Noncompliant: 1, Exempt: 1, ThirdParty: 1, NotFound: 1}
	if r.Summary != want {
		t.Errorf("Summary = %+v, want %+v", r.Summary, want)
	}
	if got := names(r.Repositories); !slices.Equal(got, []string{"alpha", "gone"}) {
		t.Errorf("Repositories = %q, want only the failing ones", got)
	}
	if !slices.Equal(r.NoncompliantNames, []string{"alpha", "gone"}) {
		t.Errorf("NoncompliantNames = %q", r.NoncompliantNames)
	}
}

func TestReportJSON_sameForAnyInputOrder(t *testing.T) {
	reg := registry(ScanTypeEnhanced,
		rule(FrequencyContinuous, "prod"), rule(FrequencyScanOnPush, "*"))
	base := NewReport(reg, "eu-west-1", PolicyEffective, mixedVerdicts(), DetailAll).JSON()

	orders := [][]int{{5, 4, 3, 2, 1, 0}, {2, 0, 4, 1, 5, 3}, {1, 3, 5, 0, 2, 4}}
	for _, order := range orders {
		in := mixedVerdicts()
		shuffled := make([]Verdict, 0, len(in))
		for _, i := range order {
			shuffled = append(shuffled, in[i])
		}
		if got := NewReport(reg, "eu-west-1", PolicyEffective, shuffled, DetailAll).JSON(); got != base {
			t.Errorf("order %v gives different JSON:\n%s\nwant\n%s", order, got, base)
		}
	}

	var decoded map[string]any
	if err := json.Unmarshal([]byte(base), &decoded); err != nil {
		t.Fatalf("JSON does not parse: %v", err)
	}
	for _, key := range []string{
		"registry_id", "region", "scan_type", "registry_rules", "policy", "compliant", "summary",
		"noncompliant_repository_names", "repositories",
	} {
		if _, ok := decoded[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
}

func TestReportJSON_omitsDisagreement(t *testing.T) {
	v := verdict("a", StatusCompliant)
	v.Disagreement = "internal note"
	js := NewReport(registry(ScanTypeBasic), "r", PolicyEffective, []Verdict{v}, DetailAll).JSON()
	if strings.Contains(js, "internal note") {
		t.Errorf("JSON carries the disagreement text: %s", js)
	}
}

func failingReport(n int, reg Registry, policy Policy) Report {
	vs := make([]Verdict, 0, n+1)
	for i := range n {
		vs = append(vs, verdict(fmt.Sprintf("repo-%02d", i), StatusNoncompliant,
			CodeScanManual, CodeNoMatchingRule))
	}
	vs = append(vs, verdict("passing", StatusCompliant))
	return NewReport(reg, "eu-west-1", policy, vs, DetailAll)
}

func TestReportFailureSummary_countsFailingOfTotal(t *testing.T) {
	r := NewReport(registry(ScanTypeBasic), "eu-west-1", PolicyEffective, mixedVerdicts(), DetailAll)
	if got := r.FailureSummary(); !strings.HasPrefix(got, "2 of 6 ") {
		t.Errorf("FailureSummary = %q, want it to start with %q", got, "2 of 6 ")
	}
}

func TestReportFailureDetail_namesAtMostLimitThenCountsTheRest(t *testing.T) {
	reg := registry(ScanTypeBasic)
	cases := []struct {
		failing, limit int
		wantListed     int
		wantMore       string
	}{
		{25, 20, 20, "and 5 more"},
		{21, 20, 20, "and 1 more"},
		{20, 20, 20, ""},
		{3, 20, 3, ""},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d failing, limit %d", tc.failing, tc.limit), func(t *testing.T) {
			detail := failingReport(tc.failing, reg, PolicyEffective).FailureDetail(tc.limit,
				Options{Minimum: FrequencyScanOnPush})

			for i := range tc.failing {
				name := fmt.Sprintf("  - repo-%02d:", i)
				if listed := strings.Contains(detail, name); listed != (i < tc.wantListed) {
					t.Errorf("repo-%02d listed = %v, want %v", i, listed, i < tc.wantListed)
				}
			}
			if strings.Contains(detail, "passing") {
				t.Error("a passing repository is named among the failures")
			}
			hasMore := strings.Contains(detail, " more")
			if tc.wantMore == "" && hasMore {
				t.Errorf("detail says there are more, but all %d are listed", tc.failing)
			}
			if tc.wantMore != "" && !strings.Contains(detail, tc.wantMore) {
				t.Errorf("detail lacks %q:\n%s", tc.wantMore, detail)
			}
			if want := fmt.Sprintf("%d of %d", tc.failing, tc.failing+1); !strings.Contains(detail, want) {
				t.Errorf("detail lacks the count %q", want)
			}
		})
	}
}

func TestReportFailureDetail_includesReasons(t *testing.T) {
	r := NewReport(registry(ScanTypeBasic), "eu-west-1", PolicyEffective, mixedVerdicts(), DetailAll)
	detail := r.FailureDetail(20, Options{Minimum: FrequencyScanOnPush})
	for _, want := range []string{
		"alpha: SCAN_MANUAL: because SCAN_MANUAL; NO_MATCHING_RULE: because NO_MATCHING_RULE",
		"gone: NOT_FOUND: because NOT_FOUND",
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, detail)
		}
	}
}

// cliRules returns the rules of the put-registry-scanning-configuration
// command in a failure detail.
func cliRules(t *testing.T, detail string) []Rule {
	t.Helper()
	_, after, ok := strings.Cut(detail, "--rules '")
	if !ok {
		t.Fatalf("detail has no --rules argument:\n%s", detail)
	}
	raw, _, _ := strings.Cut(after, "'")

	var parsed []struct {
		ScanFrequency     Frequency `json:"scanFrequency"`
		RepositoryFilters []struct {
			Filter     string `json:"filter"`
			FilterType string `json:"filterType"`
		} `json:"repositoryFilters"`
	}
	if err := json.Unmarshal([]byte(raw), &parsed); err != nil {
		t.Fatalf("--rules is not JSON: %v: %s", err, raw)
	}
	out := make([]Rule, 0, len(parsed))
	for _, p := range parsed {
		r := Rule{Frequency: p.ScanFrequency, Filters: []string{}}
		for _, f := range p.RepositoryFilters {
			if f.FilterType != "WILDCARD" {
				t.Errorf("filter %q has filterType %q, want WILDCARD", f.Filter, f.FilterType)
			}
			r.Filters = append(r.Filters, f.Filter)
		}
		out = append(out, r)
	}
	return out
}

func rulesEqual(a, b []Rule) bool {
	return slices.EqualFunc(a, b, func(x, y Rule) bool {
		return x.Frequency == y.Frequency && slices.Equal(x.Filters, y.Filters)
	})
}

func TestReportFailureDetail_registryFixMergesExistingRules(t *testing.T) {
	cases := []struct {
		name         string
		reg          Registry
		minimum      Frequency
		wantScanType string
		wantRules    []Rule
	}{
		{
			name:         "another team's continuous rule is kept",
			reg:          registry(ScanTypeEnhanced, rule(FrequencyContinuous, "team-a/*")),
			minimum:      FrequencyScanOnPush,
			wantScanType: "ENHANCED",
			wantRules: []Rule{
				rule(FrequencyContinuous, "team-a/*"), rule(FrequencyScanOnPush, "*"),
			},
		},
		{
			name:         "an existing scan-on-push rule gains '*'",
			reg:          registry(ScanTypeBasic, rule(FrequencyScanOnPush, "prod", "dev")),
			minimum:      FrequencyScanOnPush,
			wantScanType: "BASIC",
			wantRules:    []Rule{rule(FrequencyScanOnPush, "prod", "dev", "*")},
		},
		{
			name:         "an empty registry gets one rule",
			reg:          registry(""),
			minimum:      "",
			wantScanType: "BASIC",
			wantRules:    []Rule{rule(FrequencyScanOnPush, "*")},
		},
		{
			name:         "a continuous minimum switches to enhanced and keeps scan on push",
			reg:          registry(ScanTypeBasic, rule(FrequencyScanOnPush, "prod")),
			minimum:      FrequencyContinuous,
			wantScanType: "ENHANCED",
			wantRules: []Rule{
				rule(FrequencyScanOnPush, "prod"), rule(FrequencyContinuous, "*"),
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			detail := failingReport(2, tc.reg, PolicyEffective).FailureDetail(20, Options{Minimum: tc.minimum})

			if !strings.Contains(detail, "aws ecr put-registry-scanning-configuration --region eu-west-1") {
				t.Errorf("detail lacks the registry-level command:\n%s", detail)
			}
			if want := "--scan-type " + tc.wantScanType + " "; !strings.Contains(detail, want) {
				t.Errorf("detail lacks %q:\n%s", want, detail)
			}
			if got := cliRules(t, detail); !rulesEqual(got, tc.wantRules) {
				t.Errorf("--rules = %+v, want %+v", got, tc.wantRules)
			}
			if !strings.Contains(detail, `resource "c0221_scan_enforcement"`) {
				t.Errorf("detail lacks the c0221_scan_enforcement block:\n%s", detail)
			}
			if strings.Contains(detail, "put-image-scanning-configuration") {
				t.Errorf("the effective policy's fix must not be the legacy flag:\n%s", detail)
			}
		})
	}
}

func TestReportFailureDetail_kubescapeFixSetsRepositoryFlag(t *testing.T) {
	detail := failingReport(2, registry(ScanTypeBasic), PolicyKubescape).FailureDetail(20,
		Options{Minimum: FrequencyScanOnPush})
	for _, want := range []string{
		"aws ecr put-image-scanning-configuration --region eu-west-1 --repository-name repo-00",
		"--image-scanning-configuration scanOnPush=true",
		`mode             = "repository"`,
		`repository_names = ["repo-00", "repo-01"]`,
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, detail)
		}
	}
	if strings.Contains(detail, "put-registry-scanning-configuration") {
		t.Errorf("the kubescape policy reads only the repository flag:\n%s", detail)
	}
}

func TestMergeFilters_neverDropsOrDuplicates(t *testing.T) {
	cases := []struct {
		name    string
		rules   []Rule
		freq    Frequency
		filters []string
		want    []Rule
	}{
		{
			name: "no rules", freq: FrequencyScanOnPush, filters: []string{"*"},
			want: []Rule{rule(FrequencyScanOnPush, "*")},
		},
		{
			name:  "adds a rule beside another frequency's",
			rules: []Rule{rule(FrequencyContinuous, "team-a/*", "prod")},
			freq:  FrequencyScanOnPush, filters: []string{"*"},
			want: []Rule{
				rule(FrequencyContinuous, "team-a/*", "prod"), rule(FrequencyScanOnPush, "*"),
			},
		},
		{
			name:  "appends to the rule of the same frequency",
			rules: []Rule{rule(FrequencyScanOnPush, "prod")},
			freq:  FrequencyScanOnPush, filters: []string{"dev", "*"},
			want: []Rule{rule(FrequencyScanOnPush, "prod", "dev", "*")},
		},
		{
			name:  "a filter already present is not repeated",
			rules: []Rule{rule(FrequencyScanOnPush, "prod", "*")},
			freq:  FrequencyScanOnPush, filters: []string{"*", "prod"},
			want: []Rule{rule(FrequencyScanOnPush, "prod", "*")},
		},
		{
			name:  "a filter repeated in the input is added once",
			rules: []Rule{rule(FrequencyScanOnPush, "prod")},
			freq:  FrequencyScanOnPush, filters: []string{"dev", "dev"},
			want: []Rule{rule(FrequencyScanOnPush, "prod", "dev")},
		},
		{
			name: "a filter repeated in the input is added once to a new rule",
			freq: FrequencyScanOnPush, filters: []string{"dev", "*", "dev"},
			want: []Rule{rule(FrequencyScanOnPush, "dev", "*")},
		},
		{
			name: "both rules kept when merging into the second",
			rules: []Rule{
				rule(FrequencyScanOnPush, "a"), rule(FrequencyContinuous, "b"),
			},
			freq: FrequencyContinuous, filters: []string{"c"},
			want: []Rule{
				rule(FrequencyScanOnPush, "a"), rule(FrequencyContinuous, "b", "c"),
			},
		},
		{
			name:  "no filters to add",
			rules: []Rule{rule(FrequencyScanOnPush, "prod")},
			freq:  FrequencyScanOnPush, filters: nil,
			want: []Rule{rule(FrequencyScanOnPush, "prod")},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := MergeFilters(tc.rules, tc.freq, tc.filters)
			if !rulesEqual(got, tc.want) {
				t.Errorf("MergeFilters = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestMergeFilters_leavesItsInputAlone(t *testing.T) {
	// Spare capacity would let an append write through to the caller's array.
	existing := make([]string, 1, 8)
	existing[0] = "prod"
	rules := []Rule{{Frequency: FrequencyScanOnPush, Filters: existing}}
	filters := []string{"*"}

	got := MergeFilters(rules, FrequencyScanOnPush, filters)
	got[0].Filters[0] = "changed"

	if len(rules[0].Filters) != 1 || rules[0].Filters[0] != "prod" {
		t.Errorf("caller's rule changed to %q", rules[0].Filters)
	}
	if full := existing[:2]; full[1] != "" {
		t.Errorf("caller's backing array was written: %q", full)
	}

	fresh := MergeFilters(nil, FrequencyScanOnPush, filters)
	fresh[0].Filters[0] = "changed"
	if filters[0] != "*" {
		t.Errorf("caller's filters changed to %q", filters)
	}
}

func TestCLIRules_rendersAwsCliShape(t *testing.T) {
	got := CLIRules([]Rule{rule(FrequencyContinuous, "team-a/*"), rule(FrequencyScanOnPush, "*")})
	want := `[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[` +
		`{"filter":"team-a/*","filterType":"WILDCARD"}]},` +
		`{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[` +
		`{"filter":"*","filterType":"WILDCARD"}]}]`
	if got != want {
		t.Errorf("CLIRules =\n%s\nwant\n%s", got, want)
	}
	if got := CLIRules(nil); got != "[]" {
		t.Errorf("CLIRules(nil) = %s, want []", got)
	}
}

// A fix that needs ENHANCED scanning says so in both the CLI command and the
// resource block, or the block would fail its own plan on a BASIC registry.
func TestReportFailureDetail_fixAsksForEnhancedWhenTheOptionsNeedIt(t *testing.T) {
	for name, opts := range map[string]Options{
		"continuous minimum": {Minimum: FrequencyContinuous},
		"enhanced required":  {Minimum: FrequencyScanOnPush, RequireEnhanced: true},
	} {
		t.Run(name, func(t *testing.T) {
			detail := failingReport(2, registry(ScanTypeBasic), PolicyEffective).FailureDetail(20, opts)
			for _, want := range []string{"--scan-type ENHANCED", `scan_type          = "ENHANCED"`} {
				if !strings.Contains(detail, want) {
					t.Errorf("detail lacks %q:\n%s", want, detail)
				}
			}
		})
	}
	detail := failingReport(2, registry(ScanTypeBasic), PolicyEffective).FailureDetail(20,
		Options{Minimum: FrequencyScanOnPush})
	if strings.Contains(detail, "scan_type") || !strings.Contains(detail, "--scan-type BASIC") {
		t.Errorf("a scan-on-push fix on a BASIC registry keeps BASIC:\n%s", detail)
	}
}
