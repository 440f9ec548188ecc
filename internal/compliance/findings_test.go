package compliance

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSeverities_rankedMostSevereFirst(t *testing.T) {
	want := []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"}
	if !slices.Equal(Severities, want) {
		t.Fatalf("Severities = %q, want %q", Severities, want)
	}
	for i := 1; i < len(Severities); i++ {
		if defaults.Rank(Severities[i-1]) <= defaults.Rank(Severities[i]) {
			t.Errorf("%s does not rank above %s", Severities[i-1], Severities[i])
		}
	}
}

func TestFindingsOptions_rankUndefinedAndUnknownKeysAsConfigured(t *testing.T) {
	o := FindingsOptions{UndefinedAs: SeverityHigh}
	for _, key := range []string{"UNDEFINED", "UNTRIAGED", "whatever"} {
		if o.Rank(key) != SeverityHigh.rank() {
			t.Errorf("Rank(%s) = %d, want HIGH's %d", key, o.Rank(key), SeverityHigh.rank())
		}
	}
	if (FindingsOptions{}).Rank("UNTRIAGED") != SeverityUndefined.rank() {
		t.Error("by default an unknown key ranks as UNDEFINED")
	}
}

func TestCountFindings_keepsAndSumsEveryKey(t *testing.T) {
	scan := ImageScan{Counts: map[string]int{"CRITICAL": 1, "HIGH": 2, "MEDIUM": 3, "LOW": 4,
		"INFORMATIONAL": 5, "UNDEFINED": 6, "UNTRIAGED": 7}}
	counts, ignored := countFindings(scan, nil, judgeNow)
	if !maps.Equal(counts, scan.Counts) || total(counts) != 28 || len(ignored) != 0 {
		t.Fatalf("counts = %v (sum %d), ignored %v", counts, total(counts), ignored)
	}

	// Without counts from ECR, the findings list is counted.
	listed := ImageScan{Findings: []Finding{{"CVE-1", "HIGH"}, {"CVE-2", ""},
		{"CVE-3", "UNTRIAGED"}, {"CVE-4", "HIGH"}}}
	counts, _ = countFindings(listed, nil, judgeNow)
	want := map[string]int{"HIGH": 2, "UNDEFINED": 1, "UNTRIAGED": 1}
	if !maps.Equal(counts, want) {
		t.Fatalf("counted %v, want %v", counts, want)
	}
}

func TestCountFindings_ignoresRemoveActiveAndReportExpired(t *testing.T) {
	scan := ImageScan{
		Counts: map[string]int{"CRITICAL": 1, "HIGH": 3, "LOW": 1},
		Findings: []Finding{{"CVE-2025-0001", "CRITICAL"}, {"CVE-2025-0002", "HIGH"},
			{"CVE-2025-0002", "HIGH"}, {"CVE-2025-0003", "HIGH"}, {"CVE-2025-0004", "LOW"}},
		FindingsComplete: true,
	}
	ignored := []IgnoredVulnerability{
		{ID: "cve-2025-0001", Reason: "not reachable"},
		{ID: "CVE-2025-0002", Reason: "fixed upstream", Expires: judgeNow.Add(time.Hour)},
		{ID: "CVE-2025-0003", Reason: "was accepted", Expires: judgeNow.Add(-time.Hour)},
	}
	counts, out := countFindings(scan, ignored, judgeNow)
	want := map[string]int{"CRITICAL": 0, "HIGH": 1, "LOW": 1}
	if !maps.Equal(counts, want) {
		t.Fatalf("counts = %v, want %v", counts, want)
	}
	var got []string
	for _, f := range out {
		state := "active"
		if f.Expired {
			state = "expired"
		}
		got = append(got, f.ID+" "+f.Severity+" "+state)
	}
	wantOut := []string{"CVE-2025-0001 CRITICAL active", "CVE-2025-0002 HIGH active",
		"CVE-2025-0003 HIGH expired"}
	if !slices.Equal(got, wantOut) {
		t.Fatalf("ignored = %q, want %q", got, wantOut)
	}
}

func TestJudgeScan_thresholdIgnoresAndUndefined(t *testing.T) {
	base := ImageScan{Found: true, Status: "COMPLETE", FindingsComplete: true,
		Counts:   map[string]int{"HIGH": 1, "UNDEFINED": 2, "UNTRIAGED": 1},
		Findings: []Finding{{"CVE-9", "HIGH"}, {"CVE-8", "UNDEFINED"}, {"CVE-8", "UNDEFINED"}}}
	cases := []struct {
		name string
		opts FindingsOptions
		want Code
		text string
	}{
		{"high fails at HIGH", FindingsOptions{}, CodeFindingsAtThreshold, "1 HIGH"},
		{"high passes at CRITICAL", FindingsOptions{Threshold: SeverityCritical}, "", ""},
		{"ignored with a reason passes", FindingsOptions{Ignored: []IgnoredVulnerability{
			{ID: "CVE-9", Reason: "false positive"}}}, "", ""},
		{"an expired ignore counts again and is named",
			FindingsOptions{Ignored: []IgnoredVulnerability{{ID: "CVE-9", Reason: "r",
				Expires: judgeNow.Add(-time.Minute)}}},
			CodeFindingsAtThreshold, "CVE-9 (ignore expired"},
		{"undefined ranked as critical fails at CRITICAL",
			FindingsOptions{Threshold: SeverityCritical, UndefinedAs: SeverityCritical},
			CodeFindingsAtThreshold, "2 UNDEFINED, 1 UNTRIAGED"},
		{"threshold UNDEFINED fails everything", FindingsOptions{
			Threshold: SeverityUndefined, Ignored: []IgnoredVulnerability{{ID: "CVE-9"}}},
			CodeFindingsAtThreshold, "2 UNDEFINED, 1 UNTRIAGED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := judgeScan(ScanTypeBasic, base, "image x", pushed, tc.opts.withDefaults(),
				judgeNow)
			var got Code
			if len(r.reasons) > 0 {
				got = r.reasons[0].Code
			}
			if got != tc.want || (tc.text != "" && !strings.Contains(r.reasons[0].Message,
				tc.text)) {
				t.Errorf("reasons = %+v, want %q mentioning %q", r.reasons, tc.want, tc.text)
			}
		})
	}
}

func TestJudgeScan_ignoresWithoutFindingsListWarn(t *testing.T) {
	scan := ImageScan{Found: true, Status: "COMPLETE", Counts: map[string]int{"LOW": 1}}
	o := FindingsOptions{Ignored: []IgnoredVulnerability{{ID: "CVE-1", Reason: "r"}}}
	r := judgeScan(ScanTypeBasic, scan, "x", pushed, o.withDefaults(), judgeNow)
	if len(r.warnings) != 1 {
		t.Fatalf("warnings = %q, want one", r.warnings)
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30m", 30 * time.Minute, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"0s", 0, ""},
		{"7d", 7 * 24 * time.Hour, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"0d", 0, ""},
		{"-5m", 0, "negative"},
		{"1d-1h", 0, "negative"},
		{"", 0, "not a duration"},
		{"ten minutes", 0, "not a duration"},
		{"5", 0, "not a duration"},
		{"d", 0, "not a duration"},
		{"3w", 0, "not a duration"},
		{"3650d", 3650 * 24 * time.Hour, ""},
		{"87600h", 87600 * time.Hour, ""},
		{"3650d1s", 0, "longer than"},
		{"3651d", 0, "longer than"},
		{"87601h", 0, "longer than"},
		{"100000d2000000h", 0, "longer than"},
		{"99999999999999999999d", 0, "longer than"},
		{"2562048h", 0, "longer than"},
		{"9223372036854775807ns", 0, "longer than"},
		{"1d9223372036854775807ns", 0, "longer than"},
	}
	for _, tc := range cases {
		got, err := ParseDuration(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseDuration(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseDuration(%q) error = %v, want one saying %q", tc.in, err, tc.err)
		}
	}
}
