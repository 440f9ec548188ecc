package compliance

import (
	"slices"
	"testing"
)

func rule(freq Frequency, filters ...string) Rule {
	return Rule{Frequency: freq, Filters: filters}
}

func registry(scanType ScanType, rules ...Rule) Registry {
	return Registry{ID: "123456789012", ScanType: scanType, Rules: rules}
}

func TestEffectiveFrequency(t *testing.T) {
	continuousTeam := rule(FrequencyContinuous, "team-a/*", "critical")
	pushAll := rule(FrequencyScanOnPush, "*")

	cases := []struct {
		name        string
		reg         Registry
		repo        string
		scanOnPush  bool
		want        Frequency
		wantFilters []string
		wantMatched bool
	}{
		// BASIC.
		{
			name: "basic rule match scans on push with the matching filter",
			reg:  registry(ScanTypeBasic, rule(FrequencyScanOnPush, "prod")),
			repo: "app-prod-api", want: FrequencyScanOnPush,
			wantFilters: []string{"prod"}, wantMatched: true,
		},
		{
			name: "basic rule match does not need the legacy flag",
			reg:  registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*")),
			repo: "svc", scanOnPush: false, want: FrequencyScanOnPush,
			wantFilters: []string{"*"}, wantMatched: true,
		},
		{
			name: "basic no match with legacy flag on scans on push",
			reg:  registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*prod")),
			repo: "prod-repo", scanOnPush: true, want: FrequencyScanOnPush,
		},
		{
			name: "basic no match with legacy flag off is manual",
			reg:  registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*prod")),
			repo: "prod-repo", want: FrequencyManual,
		},
		{
			name: "basic without rules follows the legacy flag",
			reg:  registry(ScanTypeBasic), repo: "svc", scanOnPush: true,
			want: FrequencyScanOnPush,
		},
		{
			name: "basic without rules and flag off is manual",
			reg:  registry(ScanTypeBasic), repo: "svc", want: FrequencyManual,
		},
		{
			name: "unset scan type is BASIC",
			reg:  registry(""), repo: "svc", scanOnPush: true, want: FrequencyScanOnPush,
		},

		// ENHANCED.
		{
			name: "enhanced no match is manual even with the legacy flag on",
			reg:  registry(ScanTypeEnhanced, rule(FrequencyScanOnPush, "prod")),
			repo: "dev-api", scanOnPush: true, want: FrequencyManual,
		},
		{
			name: "enhanced without rules is manual even with the legacy flag on",
			reg:  registry(ScanTypeEnhanced), repo: "svc", scanOnPush: true,
			want: FrequencyManual,
		},
		{
			name: "enhanced both rules match, continuous listed first",
			reg:  registry(ScanTypeEnhanced, continuousTeam, pushAll),
			repo: "team-a/api", want: FrequencyContinuous,
			wantFilters: []string{"team-a/*"}, wantMatched: true,
		},
		{
			name: "enhanced both rules match, continuous listed second",
			reg:  registry(ScanTypeEnhanced, pushAll, continuousTeam),
			repo: "team-a/api", want: FrequencyContinuous,
			wantFilters: []string{"team-a/*"}, wantMatched: true,
		},
		{
			name: "enhanced only the scan-on-push rule matches",
			reg:  registry(ScanTypeEnhanced, continuousTeam, pushAll),
			repo: "team-b/api", want: FrequencyScanOnPush,
			wantFilters: []string{"*"}, wantMatched: true,
		},
		{
			name: "enhanced only the continuous rule matches",
			reg: registry(ScanTypeEnhanced, rule(FrequencyScanOnPush, "dev"),
				rule(FrequencyContinuous, "prod")),
			repo: "prod-api", want: FrequencyContinuous,
			wantFilters: []string{"prod"}, wantMatched: true,
		},

		// Applied filters.
		{
			name: "applied filters are only the matching ones, in rule order",
			reg: registry(ScanTypeBasic,
				rule(FrequencyScanOnPush, "prod", "dev", "*-api", "team/*")),
			repo: "app-prod-api", want: FrequencyScanOnPush,
			wantFilters: []string{"prod", "*-api"}, wantMatched: true,
		},
		{
			name: "applied filters come from the deciding rule only",
			reg: registry(ScanTypeEnhanced, rule(FrequencyScanOnPush, "api", "*"),
				rule(FrequencyContinuous, "*-api", "dev")),
			repo: "app-prod-api", want: FrequencyContinuous,
			wantFilters: []string{"*-api"}, wantMatched: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := EffectiveFrequency(tc.reg, tc.repo, tc.scanOnPush)
			if got.Frequency != tc.want {
				t.Errorf("Frequency = %s, want %s", got.Frequency, tc.want)
			}
			if !slices.Equal(got.Filters, tc.wantFilters) {
				t.Errorf("Filters = %q, want %q", got.Filters, tc.wantFilters)
			}
			if got.RuleMatched != tc.wantMatched {
				t.Errorf("RuleMatched = %v, want %v", got.RuleMatched, tc.wantMatched)
			}
		})
	}
}

func TestEffectiveFrequency_basicNeverScansContinuously(t *testing.T) {
	// ECR refuses a CONTINUOUS_SCAN rule under BASIC; should one be read
	// anyway, it must not be taken for continuous scanning.
	reg := registry(ScanTypeBasic, rule(FrequencyContinuous, "*"))
	if got := EffectiveFrequency(reg, "svc", false).Frequency; got == FrequencyContinuous {
		t.Errorf("Frequency = %s under BASIC, want no continuous scanning", got)
	}
}

func TestFrequency_continuousSatisfiesScanOnPush(t *testing.T) {
	cases := []struct {
		f, min Frequency
		want   bool
	}{
		{FrequencyContinuous, FrequencyScanOnPush, true},
		{FrequencyContinuous, FrequencyContinuous, true},
		{FrequencyScanOnPush, FrequencyScanOnPush, true},
		{FrequencyScanOnPush, FrequencyContinuous, false},
		{FrequencyManual, FrequencyScanOnPush, false},
		{Frequency("SOMETHING_NEW"), FrequencyScanOnPush, false},
	}
	for _, tc := range cases {
		if got := tc.f.AtLeast(tc.min); got != tc.want {
			t.Errorf("%s.AtLeast(%s) = %v, want %v", tc.f, tc.min, got, tc.want)
		}
	}
	if FrequencyManual.Scans() || !FrequencyScanOnPush.Scans() || !FrequencyContinuous.Scans() {
		t.Error("only SCAN_ON_PUSH and CONTINUOUS_SCAN scan without a manual action")
	}
}

func TestScanType_allowsTheFrequenciesEcrAcceptsInARule(t *testing.T) {
	all := []Frequency{FrequencyScanOnPush, FrequencyContinuous, FrequencyManual, "WEEKLY", ""}
	cases := map[ScanType][]Frequency{
		ScanTypeBasic:    {FrequencyScanOnPush, FrequencyManual},
		ScanTypeEnhanced: {FrequencyScanOnPush, FrequencyContinuous, FrequencyManual},
		"":               {FrequencyScanOnPush, FrequencyManual}, // ECR's default, BASIC
		"QUANTUM":        nil,
	}
	for scanType, allowed := range cases {
		for _, f := range all {
			if got, want := scanType.Allows(f), slices.Contains(allowed, f); got != want {
				t.Errorf("ScanType(%q).Allows(%q) = %t, want %t", scanType, f, got, want)
			}
		}
	}
}
