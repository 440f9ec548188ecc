package ecremu

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// The filter table of the ECR user guide ("Filters for scanning").
var filterNames = []string{"prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"}

var filterTable = map[string][]string{
	"prod":      {"prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"},
	"*prod":     {"prod", "repo-prod"},
	"prod*":     {"prod", "prod-repo", "prodrepo"},
	"*prod*":    {"prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"},
	"prod*repo": {"prod-repo", "prodrepo"},
}

func TestMatchFilterTable(t *testing.T) {
	for filter, want := range filterTable {
		for _, name := range filterNames {
			if got := matchFilter(filter, name); got != slices.Contains(want, name) {
				t.Errorf("matchFilter(%q, %q) = %v", filter, name, got)
			}
		}
	}
	more := []struct {
		filter, name string
		want         bool
	}{
		{"prod", "app-prod-api", true}, {"prod", "production-x", true}, {"prod", "team/prod/svc", true},
		{"*prod", "prod-repo", false}, {"*", "anything/at-all", true}, {"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false}, {"**", "x", true}, {"team/*", "team/a/b", true}, {"p", "xyz", false},
	}
	for _, m := range more {
		if got := matchFilter(m.filter, m.name); got != m.want {
			t.Errorf("matchFilter(%q, %q) = %v, want %v", m.filter, m.name, got, m.want)
		}
	}
}

// TestFilterTableThroughAPI checks the same table through
// BatchGetRepositoryScanningConfiguration with the real SDK client.
func TestFilterTableThroughAPI(t *testing.T) {
	s := startServer(t)
	c := newClient(s, "us-east-1", 1)
	for _, n := range filterNames {
		must(t, s.CreateRepository("us-east-1", n, false))
	}
	for filter, want := range filterTable {
		_, err := c.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{
			ScanType: types.ScanTypeEnhanced,
			Rules: []types.RegistryScanningRule{{ScanFrequency: types.ScanFrequencyContinuousScan,
				RepositoryFilters: []types.ScanningRepositoryFilter{{Filter: aws.String(filter), FilterType: types.ScanningRepositoryFilterTypeWildcard}}}},
		})
		must(t, err)
		out, err := c.BatchGetRepositoryScanningConfiguration(ctx, &ecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: filterNames})
		must(t, err)
		for _, sc := range out.ScanningConfigurations {
			matched := slices.Contains(want, *sc.RepositoryName)
			wantFreq := types.ScanFrequencyManual
			if matched {
				wantFreq = types.ScanFrequencyContinuousScan
			}
			if sc.ScanFrequency != wantFreq || sc.ScanOnPush {
				t.Errorf("filter %q repo %q: frequency %s scanOnPush %v", filter, *sc.RepositoryName, sc.ScanFrequency, sc.ScanOnPush)
			}
			if matched && (len(sc.AppliedScanFilters) != 1 || *sc.AppliedScanFilters[0].Filter != filter) {
				t.Errorf("filter %q repo %q: applied %v", filter, *sc.RepositoryName, sc.AppliedScanFilters)
			}
		}
	}
}

func TestEffectiveScanning(t *testing.T) {
	both := ScanningConfiguration{ScanType: ScanTypeEnhanced, Rules: []ScanningRule{
		{ScanFrequency: FrequencyScanOnPush, RepositoryFilters: []RepositoryFilter{{"app", FilterTypeWildcard}, {"*", FilterTypeWildcard}}},
		{ScanFrequency: FrequencyContinuousScan, RepositoryFilters: []RepositoryFilter{{"prod", FilterTypeWildcard}}},
	}}
	basic := ScanningConfiguration{ScanType: ScanTypeBasic, Rules: []ScanningRule{
		{ScanFrequency: FrequencyScanOnPush, RepositoryFilters: []RepositoryFilter{{"prod", FilterTypeWildcard}}}}}
	enhancedNarrow := ScanningConfiguration{ScanType: ScanTypeEnhanced, Rules: []ScanningRule{
		{ScanFrequency: FrequencyScanOnPush, RepositoryFilters: []RepositoryFilter{{"app", FilterTypeWildcard}}}}}
	cases := []struct {
		cfg               ScanningConfiguration
		name              string
		legacy, optLegacy bool
		want              string
		applied           int
	}{
		{both, "app-prod", false, true, FrequencyContinuousScan, 1}, // CONTINUOUS_SCAN wins
		{both, "app-dev", false, true, FrequencyScanOnPush, 2},
		{enhancedNarrow, "other", true, true, FrequencyManual, 0}, // legacy flag ignored under ENHANCED
		{basic, "prod-api", false, true, FrequencyScanOnPush, 1},
		{basic, "dev-api", true, true, FrequencyScanOnPush, 0},
		{basic, "dev-api", true, false, FrequencyManual, 0},
		{basic, "dev-api", false, true, FrequencyManual, 0},
		{defaultScanning(), "x", true, true, FrequencyScanOnPush, 0},
	}
	for i, tc := range cases {
		got, applied := effectiveScanning(tc.cfg, tc.name, tc.legacy, tc.optLegacy)
		if got != tc.want || len(applied) != tc.applied || applied == nil {
			t.Errorf("case %d: %s %v, want %s with %d filters", i, got, applied, tc.want, tc.applied)
		}
	}
}

func TestBatchGetRepositoryScanningConfiguration(t *testing.T) {
	s := startServer(t)
	c := newClient(s, "us-east-1", 1)
	must(t, s.CreateRepository("us-east-1", "legacy-on", true))
	must(t, s.CreateRepository("us-east-1", "legacy-off", false))
	out, err := c.BatchGetRepositoryScanningConfiguration(ctx, &ecr.BatchGetRepositoryScanningConfigurationInput{
		RepositoryNames: []string{"legacy-on", "missing-one", "legacy-off", "legacy-on"}})
	must(t, err)
	if len(out.ScanningConfigurations) != 2 || len(out.Failures) != 1 {
		t.Fatalf("configs %d failures %d", len(out.ScanningConfigurations), len(out.Failures))
	}
	on, off := out.ScanningConfigurations[0], out.ScanningConfigurations[1]
	if on.ScanFrequency != types.ScanFrequencyScanOnPush || !on.ScanOnPush || off.ScanFrequency != types.ScanFrequencyManual || off.ScanOnPush {
		t.Fatalf("on %+v off %+v", on, off)
	}
	if *on.RepositoryArn != "arn:aws:ecr:us-east-1:123456789012:repository/legacy-on" {
		t.Fatalf("arn %s", *on.RepositoryArn)
	}
	f := out.Failures[0]
	if *f.RepositoryName != "missing-one" || f.FailureCode != types.ScanningConfigurationFailureCodeRepositoryNotFound || *f.FailureReason == "" {
		t.Fatalf("failure %+v", f)
	}

	names := make([]string, 26)
	for i := range names {
		names[i] = fmt.Sprintf("repo-%02d", i)
	}
	_, err = c.BatchGetRepositoryScanningConfiguration(ctx, &ecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: names})
	wantCode(t, err, codeValidation)
	if !strings.Contains(errMessage(err), "less than or equal to 25") {
		t.Fatalf("message %q", errMessage(err))
	}
	out, err = c.BatchGetRepositoryScanningConfiguration(ctx, &ecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: names[:25]})
	must(t, err)
	if len(out.Failures) != 25 {
		t.Fatalf("25 names: %d failures", len(out.Failures))
	}
	_, err = c.BatchGetRepositoryScanningConfiguration(ctx, &ecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: []string{"Bad_Name"}})
	wantCode(t, err, codeValidation)
}

func TestLegacyFlagOption(t *testing.T) {
	s := startServer(t, WithLegacyFlagScansUnderBasic(false))
	c := newClient(s, "us-east-1", 1)
	must(t, s.CreateRepository("us-east-1", "legacy-on", true))
	out, err := c.BatchGetRepositoryScanningConfiguration(ctx, &ecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: []string{"legacy-on"}})
	must(t, err)
	if got := out.ScanningConfigurations[0].ScanFrequency; got != types.ScanFrequencyManual {
		t.Fatalf("frequency %s", got)
	}
}

func rule(freq types.ScanFrequency, filters ...string) types.RegistryScanningRule {
	r := types.RegistryScanningRule{ScanFrequency: freq}
	for _, f := range filters {
		r.RepositoryFilters = append(r.RepositoryFilters, types.ScanningRepositoryFilter{Filter: aws.String(f), FilterType: types.ScanningRepositoryFilterTypeWildcard})
	}
	return r
}

func TestPutRegistryScanningConfiguration(t *testing.T) {
	s := startServer(t)
	c := newClient(s, "us-east-1", 1)
	got, err := c.GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
	must(t, err)
	if *got.RegistryId != DefaultAccount || got.ScanningConfiguration.ScanType != types.ScanTypeBasic || got.ScanningConfiguration.Rules == nil || len(got.ScanningConfiguration.Rules) != 0 {
		t.Fatalf("default = %+v", got.ScanningConfiguration)
	}
	put, err := c.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{
		ScanType: types.ScanTypeEnhanced,
		Rules:    []types.RegistryScanningRule{rule(types.ScanFrequencyContinuousScan, "prod", "*-live"), rule(types.ScanFrequencyScanOnPush, "*")},
	})
	must(t, err)
	if put.RegistryScanningConfiguration.ScanType != types.ScanTypeEnhanced || len(put.RegistryScanningConfiguration.Rules) != 2 {
		t.Fatalf("put answer %+v", put.RegistryScanningConfiguration)
	}
	// A second Put replaces the whole configuration; no scanType is BASIC.
	_, err = c.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{
		Rules: []types.RegistryScanningRule{rule(types.ScanFrequencyScanOnPush, "team-a")}})
	must(t, err)
	cfg := s.RegistryScanning("us-east-1")
	if cfg.ScanType != ScanTypeBasic || len(cfg.Rules) != 1 || cfg.Rules[0].RepositoryFilters[0].Filter != "team-a" {
		t.Fatalf("after replace: %+v", cfg)
	}

	long := strings.Repeat("a", 256)
	hundredOne := make([]string, 101)
	for i := range hundredOne {
		hundredOne[i] = fmt.Sprintf("f%d", i)
	}
	bad := []struct {
		name     string
		scanType types.ScanType
		rules    []types.RegistryScanningRule
	}{
		{"three rules", types.ScanTypeEnhanced, []types.RegistryScanningRule{rule(types.ScanFrequencyScanOnPush, "a"), rule(types.ScanFrequencyContinuousScan, "b"), rule(types.ScanFrequencyScanOnPush, "c")}},
		{"no filters", types.ScanTypeBasic, []types.RegistryScanningRule{{ScanFrequency: types.ScanFrequencyScanOnPush, RepositoryFilters: []types.ScanningRepositoryFilter{}}}},
		{"101 filters", types.ScanTypeBasic, []types.RegistryScanningRule{rule(types.ScanFrequencyScanOnPush, hundredOne...)}},
		{"upper case filter", types.ScanTypeBasic, []types.RegistryScanningRule{rule(types.ScanFrequencyScanOnPush, "Prod")}},
		{"filter ends with dash", types.ScanTypeBasic, []types.RegistryScanningRule{rule(types.ScanFrequencyScanOnPush, "prod-")}},
		{"filter starts with slash", types.ScanTypeBasic, []types.RegistryScanningRule{rule(types.ScanFrequencyScanOnPush, "/prod")}},
		{"filter too long", types.ScanTypeBasic, []types.RegistryScanningRule{rule(types.ScanFrequencyScanOnPush, long)}},
		{"empty filter", types.ScanTypeBasic, []types.RegistryScanningRule{rule(types.ScanFrequencyScanOnPush, "")}},
		{"continuous under basic", types.ScanTypeBasic, []types.RegistryScanningRule{rule(types.ScanFrequencyContinuousScan, "prod")}},
		{"manual rule", types.ScanTypeEnhanced, []types.RegistryScanningRule{rule(types.ScanFrequencyManual, "prod")}},
		{"unknown frequency", types.ScanTypeEnhanced, []types.RegistryScanningRule{rule("HOURLY", "prod")}},
		{"unknown scan type", "PREMIUM", nil},
		{"bad filter type", types.ScanTypeBasic, []types.RegistryScanningRule{{ScanFrequency: types.ScanFrequencyScanOnPush,
			RepositoryFilters: []types.ScanningRepositoryFilter{{Filter: aws.String("prod"), FilterType: "PREFIX_MATCH"}}}}},
	}
	before := s.RegistryScanning("us-east-1")
	for _, b := range bad {
		_, err := c.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{ScanType: b.scanType, Rules: b.rules})
		if errCode(err) != codeValidation {
			t.Errorf("%s: error %v, want ValidationException", b.name, err)
		}
	}
	if after := s.RegistryScanning("us-east-1"); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("rejected Puts changed the configuration: %+v", after)
	}
	for _, ok := range []string{"a", "*", "prod*repo", "team/app_1.x", "a-b", "a*-*b"} {
		if !validFilter(ok) {
			t.Errorf("validFilter(%q) = false", ok)
		}
	}
}

func TestRegionIsolation(t *testing.T) {
	s := startServer(t)
	east, west := newClient(s, "us-east-1", 1), newClient(s, "eu-west-1", 1)
	_, err := west.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{
		ScanType: types.ScanTypeEnhanced, Rules: []types.RegistryScanningRule{rule(types.ScanFrequencyContinuousScan, "*")}})
	must(t, err)
	_, err = west.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("west-only")})
	must(t, err)
	got, err := east.GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
	must(t, err)
	if got.ScanningConfiguration.ScanType != types.ScanTypeBasic {
		t.Fatalf("us-east-1 sees %s", got.ScanningConfiguration.ScanType)
	}
	_, err = east.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"west-only"}})
	wantCode(t, err, codeRepositoryNotFound)
	if s.RegistryScanning("eu-west-1").ScanType != ScanTypeEnhanced {
		t.Fatal("eu-west-1 lost its configuration")
	}
	reg, err := west.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	must(t, err)
	if *reg.RegistryId != DefaultAccount || reg.ReplicationConfiguration == nil {
		t.Fatalf("DescribeRegistry %+v", reg)
	}
}

func TestContinuousScanWinsThroughAPI(t *testing.T) {
	s := startServer(t)
	c := newClient(s, "us-east-1", 1)
	for _, n := range []string{"app-prod", "app-dev", "other"} {
		must(t, s.CreateRepository("us-east-1", n, true))
	}
	_, err := c.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{ScanType: types.ScanTypeEnhanced,
		Rules: []types.RegistryScanningRule{rule(types.ScanFrequencyScanOnPush, "app", "*-prod"), rule(types.ScanFrequencyContinuousScan, "prod")}})
	must(t, err)
	out, err := c.BatchGetRepositoryScanningConfiguration(ctx, &ecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: []string{"app-prod", "app-dev", "other"}})
	must(t, err)
	want := []struct {
		freq       types.ScanFrequency
		scanOnPush bool
		applied    string
	}{{types.ScanFrequencyContinuousScan, false, "[prod]"}, {types.ScanFrequencyScanOnPush, true, "[app]"}, {types.ScanFrequencyManual, false, "[]"}}
	for i, sc := range out.ScanningConfigurations {
		var applied []string
		for _, f := range sc.AppliedScanFilters {
			applied = append(applied, *f.Filter)
		}
		if sc.ScanFrequency != want[i].freq || sc.ScanOnPush != want[i].scanOnPush || fmt.Sprint(applied) != want[i].applied {
			t.Errorf("%s: %s scanOnPush=%v applied=%v", *sc.RepositoryName, sc.ScanFrequency, sc.ScanOnPush, applied)
		}
	}
}
