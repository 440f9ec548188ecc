package compliance

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var judgeNow = time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC)

func found(name string, scanOnPush bool) Observation {
	return Observation{
		Name:       name,
		ARN:        "arn:aws:ecr:eu-west-1:123456789012:repository/" + name,
		URI:        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/" + name,
		Found:      true,
		ScanOnPush: scanOnPush,
	}
}

func withLive(obs Observation, freq Frequency, filters ...string) Observation {
	obs.Live = &Live{Frequency: freq, Filters: filters}
	return obs
}

func codes(v Verdict) []Code {
	out := make([]Code, 0, len(v.Reasons))
	for _, r := range v.Reasons {
		out = append(out, r.Code)
	}
	return out
}

type judgeCase struct {
	name       string
	reg        Registry
	obs        Observation
	opts       Options
	wantStatus Status
	wantCodes  []Code
	wantFreq   Frequency
}

func runJudgeCases(t *testing.T, cases []judgeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.Now.IsZero() {
				tc.opts.Now = judgeNow
			}
			v := Judge(tc.reg, tc.obs, tc.opts)
			if v.Status != tc.wantStatus {
				t.Errorf("Status = %s, want %s (reasons %+v)", v.Status, tc.wantStatus, v.Reasons)
			}
			if got := codes(v); !slices.Equal(got, tc.wantCodes) {
				t.Errorf("reason codes = %q, want %q", got, tc.wantCodes)
			}
			if tc.wantFreq != "" && v.Frequency != tc.wantFreq {
				t.Errorf("Frequency = %s, want %s", v.Frequency, tc.wantFreq)
			}
			for _, r := range v.Reasons {
				if r.Message == "" {
					t.Errorf("reason %s has no message", r.Code)
				}
			}
		})
	}
}

func TestJudge_effectivePolicy(t *testing.T) {
	effective := Options{Policy: PolicyEffective}
	runJudgeCases(t, []judgeCase{
		{
			name: "basic, no rule, flag off: manual with no matching rule",
			reg:  registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*prod")),
			obs:  found("prod-repo", false), opts: effective,
			wantStatus: StatusNoncompliant,
			wantCodes:  []Code{CodeScanManual, CodeNoMatchingRule},
			wantFreq:   FrequencyManual,
		},
		{
			name: "enhanced, no rule, flag on: manual with no matching rule",
			reg:  registry(ScanTypeEnhanced, rule(FrequencyScanOnPush, "prod")),
			obs:  found("dev-api", true), opts: effective,
			wantStatus: StatusNoncompliant,
			wantCodes:  []Code{CodeScanManual, CodeNoMatchingRule},
			wantFreq:   FrequencyManual,
		},
		{
			name: "basic rule scans on push: compliant whatever the flag",
			reg:  registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*")),
			obs:  found("svc", false), opts: effective,
			wantStatus: StatusCompliant, wantCodes: []Code{}, wantFreq: FrequencyScanOnPush,
		},
		{
			name: "basic, no rule, legacy flag on: compliant",
			reg:  registry(ScanTypeBasic),
			obs:  found("svc", true), opts: effective,
			wantStatus: StatusCompliant, wantCodes: []Code{}, wantFreq: FrequencyScanOnPush,
		},
		{
			name:       "scan on push below a continuous minimum",
			reg:        registry(ScanTypeEnhanced, rule(FrequencyScanOnPush, "*")),
			obs:        found("svc", false),
			opts:       Options{Policy: PolicyEffective, Minimum: FrequencyContinuous},
			wantStatus: StatusNoncompliant,
			wantCodes:  []Code{CodeBelowMinimumFrequency},
			wantFreq:   FrequencyScanOnPush,
		},
		{
			name:       "continuous meets a continuous minimum",
			reg:        registry(ScanTypeEnhanced, rule(FrequencyContinuous, "*")),
			obs:        found("svc", false),
			opts:       Options{Policy: PolicyEffective, Minimum: FrequencyContinuous},
			wantStatus: StatusCompliant, wantCodes: []Code{}, wantFreq: FrequencyContinuous,
		},
		{
			name:       "continuous meets a scan-on-push minimum",
			reg:        registry(ScanTypeEnhanced, rule(FrequencyContinuous, "*")),
			obs:        found("svc", false),
			opts:       Options{Policy: PolicyEffective, Minimum: FrequencyScanOnPush},
			wantStatus: StatusCompliant, wantCodes: []Code{}, wantFreq: FrequencyContinuous,
		},
		{
			name:       "empty policy judges the effective frequency",
			reg:        registry(ScanTypeBasic),
			obs:        found("svc", false),
			wantStatus: StatusNoncompliant,
			wantCodes:  []Code{CodeScanManual, CodeNoMatchingRule},
		},
		{
			name:       "basic registry when enhanced is required",
			reg:        registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*")),
			obs:        found("svc", false),
			opts:       Options{Policy: PolicyEffective, RequireEnhanced: true},
			wantStatus: StatusNoncompliant, wantCodes: []Code{CodeNotEnhanced},
		},
		{
			name:       "unscanned basic repository when enhanced is required gets every reason",
			reg:        registry(ScanTypeBasic),
			obs:        found("svc", false),
			opts:       Options{Policy: PolicyEffective, RequireEnhanced: true},
			wantStatus: StatusNoncompliant,
			wantCodes:  []Code{CodeScanManual, CodeNoMatchingRule, CodeNotEnhanced},
		},
		{
			name:       "enhanced registry when enhanced is required",
			reg:        registry(ScanTypeEnhanced, rule(FrequencyScanOnPush, "*")),
			obs:        found("svc", false),
			opts:       Options{Policy: PolicyEffective, RequireEnhanced: true},
			wantStatus: StatusCompliant, wantCodes: []Code{},
		},
	})
}

func TestJudge_liveAnswerWinsOverComputed(t *testing.T) {
	effective := Options{Policy: PolicyEffective}
	cases := []struct {
		name          string
		reg           Registry
		obs           Observation
		wantStatus    Status
		wantFreq      Frequency
		wantFilters   []string
		wantDisagrees bool
	}{
		{
			name:       "ECR scans what the rules read as manual",
			reg:        registry(ScanTypeBasic),
			obs:        withLive(found("svc", false), FrequencyScanOnPush, "svc"),
			wantStatus: StatusCompliant, wantFreq: FrequencyScanOnPush,
			wantFilters: []string{"svc"}, wantDisagrees: true,
		},
		{
			name:       "ECR does not scan what the rules read as scanned",
			reg:        registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*")),
			obs:        withLive(found("svc", false), FrequencyManual),
			wantStatus: StatusNoncompliant, wantFreq: FrequencyManual,
			wantFilters: []string{}, wantDisagrees: true,
		},
		{
			name:       "ECR under continuous scanning reports scanOnPush false: still compliant",
			reg:        registry(ScanTypeEnhanced, rule(FrequencyContinuous, "*")),
			obs:        withLive(found("svc", false), FrequencyContinuous, "*"),
			wantStatus: StatusCompliant, wantFreq: FrequencyContinuous,
			wantFilters: []string{"*"},
		},
		{
			name:       "ECR agrees with the rules",
			reg:        registry(ScanTypeBasic, rule(FrequencyScanOnPush, "prod")),
			obs:        withLive(found("app-prod", false), FrequencyScanOnPush, "prod"),
			wantStatus: StatusCompliant, wantFreq: FrequencyScanOnPush,
			wantFilters: []string{"prod"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(tc.reg, tc.obs, effective)
			if v.Status != tc.wantStatus {
				t.Errorf("Status = %s, want %s", v.Status, tc.wantStatus)
			}
			if v.Frequency != tc.wantFreq {
				t.Errorf("Frequency = %s, want %s", v.Frequency, tc.wantFreq)
			}
			if !slices.Equal(v.AppliedFilters, tc.wantFilters) || v.AppliedFilters == nil {
				t.Errorf("AppliedFilters = %#v, want %q", v.AppliedFilters, tc.wantFilters)
			}
			if (v.Disagreement != "") != tc.wantDisagrees {
				t.Errorf("Disagreement = %q, want one: %v", v.Disagreement, tc.wantDisagrees)
			}
		})
	}
}

func TestJudge_kubescapePolicyReadsOnlyTheRepositoryFlag(t *testing.T) {
	kubescape := Options{Policy: PolicyKubescape}
	runJudgeCases(t, []judgeCase{
		{
			name: "flag off although a registry rule scans it",
			reg:  registry(ScanTypeEnhanced, rule(FrequencyContinuous, "*")),
			obs:  found("svc", false), opts: kubescape,
			wantStatus: StatusNoncompliant, wantCodes: []Code{CodeRepositoryFlagOff},
			wantFreq: FrequencyContinuous,
		},
		{
			name: "flag off although ECR reports scan on push",
			reg:  registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*")),
			obs:  withLive(found("svc", false), FrequencyScanOnPush, "*"), opts: kubescape,
			wantStatus: StatusNoncompliant, wantCodes: []Code{CodeRepositoryFlagOff},
		},
		{
			name: "flag on passes although enhanced scanning leaves it manual",
			reg:  registry(ScanTypeEnhanced),
			obs:  found("svc", true), opts: kubescape,
			wantStatus: StatusCompliant, wantCodes: []Code{}, wantFreq: FrequencyManual,
		},
		{
			name: "flag on passes although ECR reports manual",
			reg:  registry(ScanTypeBasic),
			obs:  withLive(found("svc", true), FrequencyManual), opts: kubescape,
			wantStatus: StatusCompliant, wantCodes: []Code{},
		},
		{
			name:       "flag on passes whatever the minimum frequency",
			reg:        registry(ScanTypeBasic),
			obs:        found("svc", true),
			opts:       Options{Policy: PolicyKubescape, Minimum: FrequencyContinuous},
			wantStatus: StatusCompliant, wantCodes: []Code{},
		},
	})
}

func TestJudge_notFound(t *testing.T) {
	reg := registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*"))
	for _, policy := range []Policy{PolicyEffective, PolicyKubescape} {
		v := Judge(reg, Observation{Name: "gone"}, Options{Policy: policy, Now: judgeNow})
		if v.Status != StatusNotFound || !v.Status.Failing() {
			t.Errorf("%s: Status = %s, want a failing NOT_FOUND", policy, v.Status)
		}
		if got := codes(v); !slices.Equal(got, []Code{CodeNotFound}) {
			t.Errorf("%s: reason codes = %q, want [NOT_FOUND]", policy, got)
		}
		if !strings.Contains(v.Reasons[0].Message, "gone") {
			t.Errorf("%s: reason %q does not name the repository", policy, v.Reasons[0].Message)
		}
	}
}

func TestJudge_thirdPartyScanner(t *testing.T) {
	unscanned := registry(ScanTypeBasic)
	scanners := []ThirdPartyScanner{
		{Name: "trivy", Filters: []string{"legacy/*"}},
		{Name: "snyk", Filters: []string{"vendor"}},
	}
	cases := []struct {
		repo        string
		wantStatus  Status
		wantScanner string
	}{
		{"legacy/api", StatusThirdParty, "trivy"},
		{"acme-vendor-lib", StatusThirdParty, "snyk"},
		{"app/legacy/api", StatusNoncompliant, ""},
	}
	for _, tc := range cases {
		v := Judge(unscanned, found(tc.repo, false),
			Options{Policy: PolicyEffective, ThirdParty: scanners, Now: judgeNow})
		if v.Status != tc.wantStatus || v.ThirdParty != tc.wantScanner {
			t.Errorf("%s: Status, ThirdParty = %s, %q, want %s, %q",
				tc.repo, v.Status, v.ThirdParty, tc.wantStatus, tc.wantScanner)
		}
		if v.Status == StatusThirdParty && len(v.Reasons) == 0 {
			t.Errorf("%s: a THIRD_PARTY verdict keeps the reasons it would fail for", tc.repo)
		}
	}

	scanned := registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*"))
	v := Judge(scanned, found("legacy/api", false),
		Options{Policy: PolicyEffective, ThirdParty: scanners, Now: judgeNow})
	if v.Status != StatusCompliant {
		t.Errorf("a repository ECR scans stays COMPLIANT, got %s", v.Status)
	}
}

// TestJudge_thirdPartyScannerCoversOnlyScanningConfiguration: a declared
// external scanner stands in for ECR's scanning configuration, never for
// the registry's scan type or for what ECR found in the latest image; an
// exemption, an explicit accepted risk, excuses everything.
func TestJudge_thirdPartyScannerCoversOnlyScanningConfiguration(t *testing.T) {
	trivy := []ThirdPartyScanner{{Name: "trivy", Filters: []string{"*"}}}
	unscanned := registry(ScanTypeBasic)
	scanned := registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*"))
	critical := &ImageObservation{Digest: digest(1), PushedAt: judgeNow.Add(-time.Hour),
		Scan: ImageScan{Found: true, Status: "COMPLETE", CompletedAt: judgeNow.Add(-time.Hour),
			Counts: map[string]int{"CRITICAL": 1}}}
	never := &ImageObservation{Digest: digest(2), PushedAt: judgeNow.Add(-time.Hour)}
	unsupported := &ImageObservation{Digest: digest(3), PushedAt: judgeNow.Add(-time.Hour),
		Scan: ImageScan{Found: true, Status: "FAILED", Description: "UnsupportedImageError"}}
	gate := &FindingsOptions{PendingGrace: DefaultPendingGrace}
	withImage := func(obs Observation, img *ImageObservation) Observation {
		obs.Image = img
		return obs
	}
	accepted := []Exemption{{Repository: "app", Reason: "accepted until the rebuild"}}

	runJudgeCases(t, []judgeCase{
		{name: "manual, no matching rule: covered",
			reg: unscanned, obs: found("app", false),
			opts:       Options{Policy: PolicyEffective, ThirdParty: trivy},
			wantStatus: StatusThirdParty, wantCodes: []Code{CodeScanManual, CodeNoMatchingRule}},
		{name: "below the minimum frequency: covered",
			reg: scanned, obs: withLive(found("app", false), FrequencyScanOnPush, "*"),
			opts: Options{Policy: PolicyEffective, Minimum: FrequencyContinuous,
				ThirdParty: trivy},
			wantStatus: StatusThirdParty, wantCodes: []Code{CodeBelowMinimumFrequency}},
		{name: "kubescape flag off: covered",
			reg: scanned, obs: found("app", false),
			opts:       Options{Policy: PolicyKubescape, ThirdParty: trivy},
			wantStatus: StatusThirdParty, wantCodes: []Code{CodeRepositoryFlagOff}},
		{name: "not enhanced: not covered, the covered reasons are taken out",
			reg: unscanned, obs: found("app", false),
			opts:       Options{Policy: PolicyEffective, RequireEnhanced: true, ThirdParty: trivy},
			wantStatus: StatusNoncompliant, wantCodes: []Code{CodeNotEnhanced}},
		{name: "findings at the threshold: not covered",
			reg: scanned, obs: withImage(withLive(found("app", false), FrequencyScanOnPush, "*"),
				critical),
			opts:       Options{Policy: PolicyEffective, Findings: gate, ThirdParty: trivy},
			wantStatus: StatusNoncompliant, wantCodes: []Code{CodeFindingsAtThreshold}},
		{name: "never scanned by ECR: not covered",
			reg: unscanned, obs: withImage(found("app", false), never),
			opts:       Options{Policy: PolicyEffective, Findings: gate, ThirdParty: trivy},
			wantStatus: StatusNoncompliant, wantCodes: []Code{CodeNoScan}},
		{name: "unsupported image: not covered",
			reg: scanned, obs: withImage(withLive(found("app", false), FrequencyScanOnPush, "*"),
				unsupported),
			opts:       Options{Policy: PolicyEffective, Findings: gate, ThirdParty: trivy},
			wantStatus: StatusNoncompliant, wantCodes: []Code{CodeImageUnsupported}},
		{name: "an exemption excuses what the scanner does not cover",
			reg: unscanned, obs: withImage(found("app", false), never),
			opts: Options{Policy: PolicyEffective, Findings: gate, RequireEnhanced: true,
				ThirdParty: trivy, Exemptions: accepted},
			wantStatus: StatusExempt, wantCodes: []Code{CodeNotEnhanced, CodeNoScan}},
		{name: "an exemption alone excuses findings and scanning alike",
			reg: unscanned, obs: withImage(found("app", false), critical),
			opts: Options{Policy: PolicyEffective, Findings: gate, RequireEnhanced: true,
				Exemptions: accepted},
			wantStatus: StatusExempt, wantCodes: []Code{CodeScanManual, CodeNoMatchingRule,
				CodeNotEnhanced, CodeFindingsAtThreshold}},
	})

	v := Judge(unscanned, found("app", false),
		Options{Policy: PolicyEffective, RequireEnhanced: true, ThirdParty: trivy, Now: judgeNow})
	if v.ThirdParty != "trivy" {
		t.Errorf("ThirdParty = %q on a repository the scanner covers in part, want trivy",
			v.ThirdParty)
	}
}

func TestJudge_exemptions(t *testing.T) {
	unscanned := registry(ScanTypeBasic)
	cases := []struct {
		name       string
		exemption  Exemption
		repo       string
		wantStatus Status
		wantCodes  []Code
	}{
		{
			name:      "exact name",
			exemption: Exemption{Repository: "legacy-api", Reason: "retired in Q3"},
			repo:      "legacy-api", wantStatus: StatusExempt,
			wantCodes: []Code{CodeScanManual, CodeNoMatchingRule},
		},
		{
			name:      "wildcard",
			exemption: Exemption{Repository: "sandbox/*", Reason: "throwaway images"},
			repo:      "sandbox/alice/tool", wantStatus: StatusExempt,
			wantCodes: []Code{CodeScanManual, CodeNoMatchingRule},
		},
		{
			name:      "wildcard matches the whole name only",
			exemption: Exemption{Repository: "sandbox/*", Reason: "throwaway images"},
			repo:      "team/sandbox/tool", wantStatus: StatusNoncompliant,
			wantCodes: []Code{CodeScanManual, CodeNoMatchingRule},
		},
		{
			name:      "a name without '*' does not match as a substring",
			exemption: Exemption{Repository: "prod", Reason: "accepted"},
			repo:      "app-prod-api", wantStatus: StatusNoncompliant,
			wantCodes: []Code{CodeScanManual, CodeNoMatchingRule},
		},
		{
			name: "expired",
			exemption: Exemption{Repository: "legacy-api", Reason: "retired in Q3",
				Expires: judgeNow.Add(-time.Hour)},
			repo: "legacy-api", wantStatus: StatusNoncompliant,
			wantCodes: []Code{CodeScanManual, CodeNoMatchingRule, CodeExemptionExpired},
		},
		{
			name: "expires at exactly now",
			exemption: Exemption{Repository: "legacy-api", Reason: "retired in Q3",
				Expires: judgeNow},
			repo: "legacy-api", wantStatus: StatusNoncompliant,
			wantCodes: []Code{CodeScanManual, CodeNoMatchingRule, CodeExemptionExpired},
		},
		{
			name: "expires one nanosecond from now",
			exemption: Exemption{Repository: "legacy-api", Reason: "retired in Q3",
				Expires: judgeNow.Add(time.Nanosecond)},
			repo: "legacy-api", wantStatus: StatusExempt,
			wantCodes: []Code{CodeScanManual, CodeNoMatchingRule},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(unscanned, found(tc.repo, false), Options{
				Policy: PolicyEffective, Exemptions: []Exemption{tc.exemption}, Now: judgeNow,
			})
			if v.Status != tc.wantStatus {
				t.Errorf("Status = %s, want %s", v.Status, tc.wantStatus)
			}
			if got := codes(v); !slices.Equal(got, tc.wantCodes) {
				t.Errorf("reason codes = %q, want %q", got, tc.wantCodes)
			}
			if tc.wantStatus == StatusExempt && v.Exemption != tc.exemption.Reason {
				t.Errorf("Exemption = %q, want the exemption's reason %q", v.Exemption,
					tc.exemption.Reason)
			}
			if tc.wantStatus != StatusExempt && v.Exemption != "" {
				t.Errorf("Exemption = %q on a repository that is not exempt", v.Exemption)
			}
		})
	}
}

func TestJudge_activeExemptionWinsOverExpiredOne(t *testing.T) {
	exemptions := []Exemption{
		{Repository: "legacy-*", Reason: "old", Expires: judgeNow.Add(-time.Hour)},
		{Repository: "legacy-api", Reason: "renewed", Expires: judgeNow.Add(time.Hour)},
	}
	v := Judge(registry(ScanTypeBasic), found("legacy-api", false),
		Options{Policy: PolicyEffective, Exemptions: exemptions, Now: judgeNow})
	if v.Status != StatusExempt || v.Exemption != "renewed" {
		t.Errorf("Status, Exemption = %s, %q, want EXEMPT, %q", v.Status, v.Exemption, "renewed")
	}
}

func TestJudge_expiredExemptionNamesItsExpiry(t *testing.T) {
	expires := time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC)
	v := Judge(registry(ScanTypeBasic), found("legacy-api", false), Options{
		Policy:     PolicyEffective,
		Exemptions: []Exemption{{Repository: "legacy-api", Reason: "r", Expires: expires}},
		Now:        judgeNow,
	})
	last := v.Reasons[len(v.Reasons)-1]
	if last.Code != CodeExemptionExpired || !strings.Contains(last.Message, "2027-01-10T00:00:00Z") {
		t.Errorf("last reason = %+v, want EXEMPTION_EXPIRED naming 2027-01-10T00:00:00Z", last)
	}
}

func TestExemption_dateOnlyExpiryLastsThroughThatDayUTC(t *testing.T) {
	expires, err := ParseExpiry("2027-01-31")
	if err != nil {
		t.Fatalf("ParseExpiry: %v", err)
	}
	e := Exemption{Repository: "legacy-api", Reason: "r", Expires: expires}
	newYork := time.FixedZone("EST", -5*60*60)
	cases := []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2027, 1, 31, 23, 59, 59, 999999999, time.UTC), true},
		{time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2027, 1, 31, 18, 59, 59, 0, newYork), true},
		{time.Date(2027, 1, 31, 19, 0, 0, 0, newYork), false},
	}
	for _, tc := range cases {
		if got := e.Active(tc.now); got != tc.want {
			t.Errorf("Active(%s) = %v, want %v", tc.now.Format(time.RFC3339Nano), got, tc.want)
		}
	}
}

func TestExemption_withoutExpiryNeverExpires(t *testing.T) {
	e := Exemption{Repository: "legacy-api", Reason: "r"}
	if !e.Active(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Error("an exemption without expiry must stay active")
	}
}

func TestParseExpiry(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
	}{
		{"2027-01-31", time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"2027-12-31", time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2028-02-28", time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"2027-01-31T18:00:00Z", time.Date(2027, 1, 31, 18, 0, 0, 0, time.UTC)},
		{"2027-01-31T18:00:00+02:00", time.Date(2027, 1, 31, 16, 0, 0, 0, time.UTC)},
		{"2027-01-31T18:00:00.5Z", time.Date(2027, 1, 31, 18, 0, 0, 5e8, time.UTC)},
	}
	for _, tc := range cases {
		got, err := ParseExpiry(tc.in)
		if err != nil {
			t.Errorf("ParseExpiry(%q) error: %v", tc.in, err)
			continue
		}
		if !got.Equal(tc.want) {
			t.Errorf("ParseExpiry(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseExpiry_rejectsMalformedInput(t *testing.T) {
	for _, in := range []string{
		"", "tomorrow", "2027-1-31", "2027-13-01", "2027-02-30", "31/01/2027",
		"2027-01-31T18:00:00", "2027-01-31 18:00:00Z", "2027-01-31T25:00:00Z",
		" 2027-01-31", "2027-01-31Z",
	} {
		if got, err := ParseExpiry(in); err == nil {
			t.Errorf("ParseExpiry(%q) = %s, want an error", in, got)
		}
	}
}

// TestJudge_reasonsDoNotChangeFromRunToRun: report_json and the reason
// messages stay the same for the same registry, however much later they are
// read, as long as the judgement itself does not change.
func TestJudge_reasonsDoNotChangeFromRunToRun(t *testing.T) {
	basic := registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*"))
	enhanced := registry(ScanTypeEnhanced, rule(FrequencyScanOnPush, "*"))
	pushedAt := judgeNow.Add(-2*time.Hour - 24*time.Second)
	image := func(scan ImageScan) *ImageObservation {
		return &ImageObservation{Digest: digest(1), PushedAt: pushedAt, Scan: scan}
	}
	cases := []struct {
		name    string
		reg     Registry
		img     *ImageObservation
		gate    FindingsOptions
		exempt  []Exemption
		stamped string
	}{
		{name: "scan in progress past the grace period", reg: basic,
			img:     image(ImageScan{Found: true, Status: ECRScanInProgress}),
			stamped: "2027-01-15T09:59:36Z"},
		{name: "enhanced scan complete without findings past the grace period", reg: enhanced,
			img:     image(ImageScan{Found: true, Status: ECRScanComplete}),
			stamped: "2027-01-15T09:59:36Z"},
		{name: "pending scan of an image without a push time", reg: basic,
			img: &ImageObservation{Digest: digest(1),
				Scan: ImageScan{Found: true, Status: ECRScanPending}}},
		{name: "completed scan older than max_scan_age", reg: basic,
			img: image(ImageScan{Found: true, Status: ECRScanComplete, Counts: cleanCounts,
				CompletedAt: judgeNow.Add(-72 * time.Hour)}),
			gate: FindingsOptions{MaxScanAge: 48 * time.Hour}, stamped: "2027-01-12T12:00:00Z"},
		{name: "expired ignore counts again", reg: basic,
			img: image(ImageScan{Found: true, Status: ECRScanComplete,
				CompletedAt: judgeNow.Add(-time.Hour), Counts: map[string]int{"HIGH": 1},
				Findings: []Finding{{"CVE-2026-1", "HIGH"}}, FindingsComplete: true}),
			gate: FindingsOptions{Ignored: []IgnoredVulnerability{{ID: "CVE-2026-1",
				Reason: "r", Expires: judgeNow.Add(-time.Hour)}}},
			stamped: "2027-01-15T11:00:00Z"},
		{name: "expired exemption", reg: registry(ScanTypeBasic),
			exempt:  []Exemption{{Repository: "app", Reason: "r", Expires: judgeNow.Add(-time.Hour)}},
			stamped: "2027-01-15T11:00:00Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obs := found("app", false)
			obs.Image = tc.img
			gate := tc.gate
			if gate.PendingGrace == 0 {
				gate.PendingGrace = DefaultPendingGrace
			}
			judge := func(now time.Time) Verdict {
				return Judge(tc.reg, obs, Options{Policy: PolicyEffective, Findings: &gate,
					Exemptions: tc.exempt, Now: now})
			}
			first, later := judge(judgeNow), judge(judgeNow.Add(26*time.Hour+17*time.Second))
			if len(first.Reasons) == 0 {
				t.Fatalf("the case does not fail: %+v", first)
			}
			if !slices.Equal(first.Reasons, later.Reasons) {
				t.Errorf("reasons changed between runs:\n  %+v\n  %+v", first.Reasons,
					later.Reasons)
			}
			last := first.Reasons[len(first.Reasons)-1].Message
			if tc.stamped != "" && !strings.Contains(last, tc.stamped) {
				t.Errorf("message %q does not give the absolute time %s", last, tc.stamped)
			}
			if strings.Contains(last, " ago") {
				t.Errorf("message %q gives a time relative to the run", last)
			}
		})
	}
}

// TestJudge_expiredExemptionIsReportedWhateverTheStatus: PRODUCT.md, an
// expired exemption is reported. Where the repository fails, it is one of
// the reasons; where it passes anyway (a third-party scanner, another
// exemption, nothing to excuse), it is a note that does not fail it.
func TestJudge_expiredExemptionIsReportedWhateverTheStatus(t *testing.T) {
	lapsed := Exemption{Repository: "app", Reason: "old", Expires: judgeNow.Add(-time.Hour)}
	trivy := []ThirdPartyScanner{{Name: "trivy", Filters: []string{"*"}}}
	cases := []struct {
		name       string
		reg        Registry
		opts       Options
		wantStatus Status
		wantCodes  []Code
		wantNote   bool
	}{
		{name: "non-compliant: a reason", reg: registry(ScanTypeBasic),
			opts:       Options{Exemptions: []Exemption{lapsed}},
			wantStatus: StatusNoncompliant,
			wantCodes:  []Code{CodeScanManual, CodeNoMatchingRule, CodeExemptionExpired}},
		{name: "third party: a note", reg: registry(ScanTypeBasic),
			opts:       Options{Exemptions: []Exemption{lapsed}, ThirdParty: trivy},
			wantStatus: StatusThirdParty,
			wantCodes:  []Code{CodeScanManual, CodeNoMatchingRule}, wantNote: true},
		{name: "exempt by another exemption: a note", reg: registry(ScanTypeBasic),
			opts: Options{Exemptions: []Exemption{lapsed,
				{Repository: "app", Reason: "renewed", Expires: judgeNow.Add(time.Hour)}}},
			wantStatus: StatusExempt,
			wantCodes:  []Code{CodeScanManual, CodeNoMatchingRule}, wantNote: true},
		{name: "compliant: a note", reg: registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*")),
			opts:       Options{Exemptions: []Exemption{lapsed}},
			wantStatus: StatusCompliant, wantCodes: []Code{}, wantNote: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Policy, tc.opts.Now = PolicyEffective, judgeNow
			v := Judge(tc.reg, found("app", false), tc.opts)
			if v.Status != tc.wantStatus || !slices.Equal(codes(v), tc.wantCodes) {
				t.Errorf("verdict %s %q, want %s %q", v.Status, codes(v), tc.wantStatus,
					tc.wantCodes)
			}
			wantNotes := []Reason{}
			if tc.wantNote {
				wantNotes = []Reason{{CodeExemptionExpired,
					"its exemption expired at 2027-01-15T11:00:00Z and no longer counts"}}
			}
			if !slices.Equal(nonNilReasons(v.Notes), wantNotes) {
				t.Errorf("notes = %+v, want %+v", v.Notes, wantNotes)
			}
		})
	}
}

func nonNilReasons(r []Reason) []Reason {
	if r == nil {
		return []Reason{}
	}
	return r
}
