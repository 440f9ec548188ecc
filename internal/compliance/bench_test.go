package compliance

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkFilterMatches is the hot path of selection and effective
// frequency: every listed repository meets every filter.
func BenchmarkFilterMatches(b *testing.B) {
	filters := []string{"prod", "*-api", "team/*/svc-*", "payments*worker"}
	names := []string{"team/prod/svc-00042", "payments/api-worker", "web/frontend-api",
		"data/etl"}
	for b.Loop() {
		for _, f := range filters {
			for _, n := range names {
				FilterMatches(f, n)
			}
		}
	}
}

// BenchmarkJudgeAndReport_10000 judges 10,000 repositories and builds the
// report with its JSON, as one data source read does.
func BenchmarkJudgeAndReport_10000(b *testing.B) {
	reg := Registry{ID: "123456789012", ScanType: ScanTypeBasic, Rules: []Rule{
		{Frequency: FrequencyScanOnPush, Filters: []string{"prod/*", "staging"}}}}
	obs := make([]Observation, 10000)
	for i := range obs {
		name := fmt.Sprintf("%s/svc-%05d", []string{"prod", "staging", "dev"}[i%3], i)
		obs[i] = Observation{Name: name, Found: true, ScanOnPush: i%7 == 0}
	}
	opts := Options{Policy: PolicyEffective, Minimum: FrequencyScanOnPush, Now: time.Now(),
		Exemptions: []Exemption{{Repository: "dev/svc-0000*", Reason: "bench"}}}

	b.ReportAllocs()
	for b.Loop() {
		verdicts := make([]Verdict, len(obs))
		for i, o := range obs {
			verdicts[i] = Judge(reg, o, opts)
		}
		_ = NewReport(reg, "us-east-1", opts.Policy, verdicts, DetailAll).JSON()
	}
}
