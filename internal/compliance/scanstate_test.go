package compliance

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	cleanCounts = map[string]int{}
	someCounts  = map[string]int{"LOW": 1}
)

// TestNormaliseScan_everyStatusUnderBasicAndEnhanced covers every raw
// status ECR documents, a future one, and a missing scan, under both scan
// types, with and without results.
func TestNormaliseScan_everyStatusUnderBasicAndEnhanced(t *testing.T) {
	const unsupportedDesc = "UnsupportedImageError: The operating system and/or package " +
		"manager are not supported."
	cases := []struct {
		status, desc string
		counts       map[string]int
		findings     []Finding
		basic        ScanState
		enhanced     ScanState
	}{
		{ECRScanComplete, "", cleanCounts, nil, ScanStateComplete, ScanStateComplete},
		{ECRScanComplete, "", someCounts, nil, ScanStateComplete, ScanStateComplete},
		{ECRScanComplete, "", nil, []Finding{{"CVE-1", "HIGH"}}, ScanStateComplete,
			ScanStateComplete},
		// Enhanced: COMPLETE before the findings arrive is not settled.
		{ECRScanComplete, "", nil, nil, ScanStateComplete, ScanStatePending},
		{ECRScanActive, "", cleanCounts, nil, ScanStateActive, ScanStateActive},
		{ECRScanActive, "", nil, nil, ScanStateActive, ScanStatePending},
		{ECRScanInProgress, "", nil, nil, ScanStatePending, ScanStatePending},
		{ECRScanPending, "", nil, nil, ScanStatePending, ScanStatePending},
		{ECRScanFailed, unsupportedDesc, nil, nil, ScanStateUnsupported, ScanStateUnsupported},
		{ECRScanFailed, "  UnsupportedImageError", nil, nil, ScanStateUnsupported,
			ScanStateUnsupported},
		{ECRScanFailed, "Internal error while scanning", nil, nil, ScanStateFailed,
			ScanStateFailed},
		{ECRScanFailed, "", nil, nil, ScanStateFailed, ScanStateFailed},
		{ECRScanUnsupportedImage, "", nil, nil, ScanStateUnsupported, ScanStateUnsupported},
		{ECRScanEligibilityExpiry, "", someCounts, nil, ScanStateStale, ScanStateStale},
		{ECRScanImageArchived, "", nil, nil, ScanStateStale, ScanStateStale},
		{ECRScanLimitExceeded, "", nil, nil, ScanStateFailed, ScanStateFailed},
		{ECRScanImageSizeExceeded, "", nil, nil, ScanStateFailed, ScanStateFailed},
		{ECRScanFindingsUnavail, "", nil, nil, ScanStateUnknown, ScanStateUnknown},
		{"QUANTUM_SCANNING", "", cleanCounts, nil, ScanStateUnknown, ScanStateUnknown},
		{"", "", nil, nil, ScanStateNoScan, ScanStateNoScan},
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.status] = true
		for _, st := range []struct {
			scanType ScanType
			want     ScanState
		}{{ScanTypeBasic, tc.basic}, {ScanTypeEnhanced, tc.enhanced}} {
			name := fmt.Sprintf("%s/%s/%q/counts=%v/findings=%d", st.scanType, tc.status,
				tc.desc, tc.counts, len(tc.findings))
			t.Run(name, func(t *testing.T) {
				s := ImageScan{Found: tc.status != "", Status: tc.status, Description: tc.desc,
					Counts: tc.counts, Findings: tc.findings}
				if got := NormaliseScan(st.scanType, s); got != st.want {
					t.Errorf("NormaliseScan = %s, want %s", got, st.want)
				}
			})
		}
	}
	for _, s := range ECRScanStatuses {
		if !covered[s] {
			t.Errorf("raw status %s has no row", s)
		}
	}
	if got := NormaliseScan(ScanTypeBasic, ImageScan{Found: false}); got != ScanStateNoScan {
		t.Errorf("ScanNotFoundException: %s, want NO_SCAN", got)
	}
}

// TestNormaliseScan_enhancedFindingsListAbsentOrEmpty: ECR.md, a COMPLETE
// scan with no enhancedFindings and no counts is not settled; a findings
// list that is there but empty, with a completion time, is a clean scan.
func TestNormaliseScan_enhancedFindingsListAbsentOrEmpty(t *testing.T) {
	done := judgeNow.Add(-time.Hour)
	cases := []struct {
		name     string
		scan     ImageScan
		basic    ScanState
		enhanced ScanState
	}{
		{"complete, list absent, no counts, completed",
			ImageScan{Found: true, Status: ECRScanComplete, CompletedAt: done},
			ScanStateComplete, ScanStatePending},
		{"complete, list absent, no counts, not completed",
			ImageScan{Found: true, Status: ECRScanComplete},
			ScanStateComplete, ScanStatePending},
		{"complete, list present and empty, completed",
			ImageScan{Found: true, Status: ECRScanComplete, CompletedAt: done,
				FindingsListed: true, FindingsComplete: true},
			ScanStateComplete, ScanStateComplete},
		{"complete, list present and empty, no completion time",
			ImageScan{Found: true, Status: ECRScanComplete, FindingsListed: true,
				FindingsComplete: true},
			ScanStateComplete, ScanStatePending},
		{"active, list absent, no counts, completed",
			ImageScan{Found: true, Status: ECRScanActive, CompletedAt: done},
			ScanStateActive, ScanStatePending},
		{"active, list present and empty, completed",
			ImageScan{Found: true, Status: ECRScanActive, CompletedAt: done,
				FindingsListed: true, FindingsComplete: true},
			ScanStateActive, ScanStateActive},
	}
	for _, tc := range cases {
		for _, st := range []struct {
			scanType ScanType
			want     ScanState
		}{{ScanTypeBasic, tc.basic}, {ScanTypeEnhanced, tc.enhanced}} {
			t.Run(string(st.scanType)+"/"+tc.name, func(t *testing.T) {
				if got := NormaliseScan(st.scanType, tc.scan); got != st.want {
					t.Errorf("NormaliseScan = %s, want %s", got, st.want)
				}
			})
		}
	}
}

var (
	pushed   = judgeNow.Add(-2 * time.Hour)
	defaults = FindingsOptions{PendingGrace: DefaultPendingGrace}.withDefaults()
)

func TestJudgeScan_codesAndStates(t *testing.T) {
	done := judgeNow.Add(-time.Hour)
	cases := []struct {
		name      string
		scanType  ScanType
		scan      ImageScan
		pushed    time.Time
		opts      func(*FindingsOptions)
		wantState ScanState
		wantCode  Code // "" passes
		wantWarn  bool
	}{
		{"clean basic scan passes", ScanTypeBasic,
			ImageScan{Found: true, Status: "COMPLETE", Counts: cleanCounts, CompletedAt: done},
			pushed, nil, ScanStateComplete, "", false},
		{"high finding fails at the default threshold", ScanTypeBasic,
			ImageScan{Found: true, Status: "COMPLETE", Counts: map[string]int{"HIGH": 1}},
			pushed, nil, ScanStateComplete, CodeFindingsAtThreshold, false},
		{"medium finding passes at the default threshold", ScanTypeBasic,
			ImageScan{Found: true, Status: "COMPLETE", Counts: map[string]int{"MEDIUM": 9}},
			pushed, nil, ScanStateComplete, "", false},
		{"active continuous scan with a critical finding fails", ScanTypeEnhanced,
			ImageScan{Found: true, Status: "ACTIVE", Counts: map[string]int{"CRITICAL": 1}},
			pushed, nil, ScanStateActive, CodeFindingsAtThreshold, false},
		{"active scans are current: max_scan_age does not age them", ScanTypeEnhanced,
			ImageScan{Found: true, Status: "ACTIVE", Counts: cleanCounts,
				CompletedAt: judgeNow.AddDate(0, -6, 0)},
			pushed, func(o *FindingsOptions) { o.MaxScanAge = 24 * time.Hour },
			ScanStateActive, "", false},
		{"completed scan older than max_scan_age is stale", ScanTypeBasic,
			ImageScan{Found: true, Status: "COMPLETE", Counts: cleanCounts,
				CompletedAt: judgeNow.Add(-49 * time.Hour)},
			pushed, func(o *FindingsOptions) { o.MaxScanAge = 48 * time.Hour },
			ScanStateStale, CodeScanStale, false},
		{"completed scan younger than max_scan_age passes", ScanTypeBasic,
			ImageScan{Found: true, Status: "COMPLETE", Counts: cleanCounts,
				CompletedAt: judgeNow.Add(-47 * time.Hour)},
			pushed, func(o *FindingsOptions) { o.MaxScanAge = 48 * time.Hour },
			ScanStateComplete, "", false},
		{"completed scan without a time cannot be shown fresh", ScanTypeBasic,
			ImageScan{Found: true, Status: "COMPLETE", Counts: cleanCounts},
			pushed, func(o *FindingsOptions) { o.MaxScanAge = 48 * time.Hour },
			ScanStateStale, CodeScanStale, false},
		{"eligibility expired is stale", ScanTypeEnhanced,
			ImageScan{Found: true, Status: "SCAN_ELIGIBILITY_EXPIRED", Counts: cleanCounts},
			pushed, nil, ScanStateStale, CodeScanStale, false},
		{"in progress within the grace period does not fail", ScanTypeBasic,
			ImageScan{Found: true, Status: "IN_PROGRESS"},
			judgeNow.Add(-10 * time.Minute), nil, ScanStatePending, "", false},
		{"in progress past the grace period fails", ScanTypeBasic,
			ImageScan{Found: true, Status: "IN_PROGRESS"},
			judgeNow.Add(-31 * time.Minute), nil, ScanStatePending, CodeScanPending, false},
		{"enhanced pending past a custom grace fails", ScanTypeEnhanced,
			ImageScan{Found: true, Status: "PENDING"}, judgeNow.Add(-6 * time.Minute),
			func(o *FindingsOptions) { o.PendingGrace = 5 * time.Minute },
			ScanStatePending, CodeScanPending, false},
		{"enhanced complete without findings is pending, not clean", ScanTypeEnhanced,
			ImageScan{Found: true, Status: "COMPLETE"}, pushed, nil,
			ScanStatePending, CodeScanPending, false},
		{"enhanced complete with an empty findings list is clean", ScanTypeEnhanced,
			ImageScan{Found: true, Status: "COMPLETE", CompletedAt: done,
				FindingsListed: true, FindingsComplete: true},
			pushed, nil, ScanStateComplete, "", false},
		{"enhanced complete with no findings list, only a time, is pending", ScanTypeEnhanced,
			ImageScan{Found: true, Status: "COMPLETE", CompletedAt: done}, pushed, nil,
			ScanStatePending, CodeScanPending, false},
		{"enhanced complete without findings within grace passes as pending",
			ScanTypeEnhanced, ImageScan{Found: true, Status: "COMPLETE"},
			judgeNow.Add(-time.Minute), nil, ScanStatePending, "", false},
		{"basic unsupported fails by default", ScanTypeBasic,
			ImageScan{Found: true, Status: "FAILED", Description: "UnsupportedImageError: x"},
			pushed, nil, ScanStateUnsupported, CodeImageUnsupported, false},
		{"enhanced unsupported fails by default", ScanTypeEnhanced,
			ImageScan{Found: true, Status: "UNSUPPORTED_IMAGE"},
			pushed, nil, ScanStateUnsupported, CodeImageUnsupported, false},
		{"unsupported with warn warns", ScanTypeEnhanced,
			ImageScan{Found: true, Status: "UNSUPPORTED_IMAGE"}, pushed,
			func(o *FindingsOptions) { o.Unsupported = UnsupportedWarn },
			ScanStateUnsupported, "", true},
		{"unsupported with ignore passes silently", ScanTypeBasic,
			ImageScan{Found: true, Status: "FAILED", Description: "UnsupportedImageError"},
			pushed, func(o *FindingsOptions) { o.Unsupported = UnsupportedIgnore },
			ScanStateUnsupported, "", false},
		{"a failed scan fails", ScanTypeBasic,
			ImageScan{Found: true, Status: "FAILED", Description: "boom"}, pushed, nil,
			ScanStateFailed, CodeScanFailed, false},
		{"never scanned", ScanTypeBasic, ImageScan{}, pushed, nil,
			ScanStateNoScan, CodeNoScan, false},
		{"never scanned within the grace period of its push does not fail yet", ScanTypeBasic,
			ImageScan{}, judgeNow.Add(-time.Minute), nil, ScanStateNoScan, "", false},
		{"never scanned and no push time fails", ScanTypeBasic, ImageScan{}, time.Time{}, nil,
			ScanStateNoScan, CodeNoScan, false},
		{"findings unavailable never passes", ScanTypeEnhanced,
			ImageScan{Found: true, Status: "FINDINGS_UNAVAILABLE"}, pushed, nil,
			ScanStateUnknown, CodeScanStateUnknown, false},
		{"an unknown status never passes", ScanTypeEnhanced,
			ImageScan{Found: true, Status: "RESCANNING", Counts: cleanCounts}, pushed, nil,
			ScanStateUnknown, CodeScanStateUnknown, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := defaults
			if tc.opts != nil {
				tc.opts(&o)
			}
			r := judgeScan(tc.scanType, tc.scan, "image x", tc.pushed, o, judgeNow)
			if r.state != tc.wantState {
				t.Errorf("state = %s, want %s", r.state, tc.wantState)
			}
			var got Code
			if len(r.reasons) > 0 {
				got = r.reasons[0].Code
			}
			if got != tc.wantCode || len(r.reasons) > 1 {
				t.Errorf("reasons = %+v, want code %q", r.reasons, tc.wantCode)
			}
			if (len(r.warnings) > 0) != tc.wantWarn {
				t.Errorf("warnings = %q, want some: %v", r.warnings, tc.wantWarn)
			}
		})
	}
}

// TestJudgeScan_findingsUnavailableSaysWhat: FINDINGS_UNAVAILABLE is one of
// ECR's own statuses; the reason says what it means instead of calling it
// unknown.
func TestJudgeScan_findingsUnavailableSaysWhat(t *testing.T) {
	r := judgeScan(ScanTypeEnhanced, ImageScan{Found: true, Status: ECRScanFindingsUnavail},
		"image x", pushed, defaults, judgeNow)
	if len(r.reasons) != 1 || r.reasons[0].Code != CodeScanStateUnknown {
		t.Fatalf("reasons = %+v, want one SCAN_STATE_UNKNOWN", r.reasons)
	}
	msg := r.reasons[0].Message
	for _, want := range []string{"FINDINGS_UNAVAILABLE", "not available", "not taken as a pass"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "does not know") {
		t.Errorf("message %q calls a documented ECR status unknown", msg)
	}

	r = judgeScan(ScanTypeEnhanced, ImageScan{Found: true, Status: "RESCANNING"}, "image x",
		pushed, defaults, judgeNow)
	if msg := r.reasons[0].Message; !strings.Contains(msg, "does not know") {
		t.Errorf("a status ECR may add later: message %q, want it called unknown", msg)
	}
}
