package compliance

import (
	"fmt"
	"strings"
	"time"
)

// ScanState is an image's scan state, normalised from ECR's two encodings
// (basic and enhanced scanning).
type ScanState string

const (
	ScanStateComplete    ScanState = "COMPLETE"
	ScanStateActive      ScanState = "ACTIVE"
	ScanStatePending     ScanState = "PENDING"
	ScanStateUnsupported ScanState = "UNSUPPORTED"
	ScanStateFailed      ScanState = "FAILED"
	ScanStateStale       ScanState = "STALE"
	ScanStateNoScan      ScanState = "NO_SCAN"
	ScanStateNoImage     ScanState = "NO_IMAGE"
	ScanStateUnknown     ScanState = "UNKNOWN"
)

// ScanStates lists every normalised scan state, for documentation.
var ScanStates = []string{string(ScanStateComplete), string(ScanStateActive),
	string(ScanStatePending), string(ScanStateUnsupported), string(ScanStateFailed),
	string(ScanStateStale), string(ScanStateNoScan), string(ScanStateNoImage),
	string(ScanStateUnknown)}

// ECR's raw imageScanStatus.status values known today. Others may come.
const (
	ECRScanInProgress        = "IN_PROGRESS"
	ECRScanComplete          = "COMPLETE"
	ECRScanFailed            = "FAILED"
	ECRScanUnsupportedImage  = "UNSUPPORTED_IMAGE"
	ECRScanActive            = "ACTIVE"
	ECRScanPending           = "PENDING"
	ECRScanEligibilityExpiry = "SCAN_ELIGIBILITY_EXPIRED"
	ECRScanFindingsUnavail   = "FINDINGS_UNAVAILABLE"
	ECRScanLimitExceeded     = "LIMIT_EXCEEDED"
	ECRScanImageArchived     = "IMAGE_ARCHIVED"
	ECRScanImageSizeExceeded = "IMAGE_SIZE_EXCEEDED"
)

// ECRScanStatuses lists ECR's known raw statuses.
var ECRScanStatuses = []string{ECRScanInProgress, ECRScanComplete, ECRScanFailed,
	ECRScanUnsupportedImage, ECRScanActive, ECRScanPending, ECRScanEligibilityExpiry,
	ECRScanFindingsUnavail, ECRScanLimitExceeded, ECRScanImageArchived,
	ECRScanImageSizeExceeded}

// unsupportedPrefix starts the description of a basic scan that failed
// because ECR cannot scan the image.
const unsupportedPrefix = "UnsupportedImageError"

// ImageScan is what ECR says about one image's scan.
type ImageScan struct {
	// Found is false when ECR has no scan for the image
	// (ScanNotFoundException).
	Found       bool
	Status      string
	Description string
	CompletedAt time.Time
	// Counts is findingSeverityCounts with every key; nil when ECR gave
	// none (an empty map is a clean result).
	Counts map[string]int
	// Findings are the findings read; FindingsComplete when every page was.
	Findings         []Finding
	FindingsComplete bool
	// FindingsListed is true when ECR answered a findings or
	// enhancedFindings list, even an empty one; an absent list is false.
	FindingsListed bool
}

// hasResults reports whether the scan carries results: counts (even
// empty), findings, or an empty findings list with a completion time (a
// scan that found nothing). A COMPLETE scan with neither list nor counts
// has no results yet, whatever its completion time.
func (s ImageScan) hasResults() bool {
	return s.Counts != nil || len(s.Findings) > 0 ||
		(s.FindingsListed && !s.CompletedAt.IsZero())
}

// NormaliseScan maps ECR's raw status to one state. Under ENHANCED a
// COMPLETE or ACTIVE scan without results is not settled yet (PENDING),
// while one whose findings list is present but empty, with a completion
// time, is clean; an image ECR cannot scan is UNSUPPORTED in both
// encodings; unknown statuses are UNKNOWN, never a pass. It does not age
// scans (see judgeScan).
func NormaliseScan(scanType ScanType, s ImageScan) ScanState {
	if !s.Found || s.Status == "" {
		return ScanStateNoScan
	}
	status := strings.ToUpper(s.Status)
	switch status {
	case ECRScanComplete, ECRScanActive:
		if scanType == ScanTypeEnhanced && !s.hasResults() {
			return ScanStatePending
		}
		if status == ECRScanActive {
			return ScanStateActive
		}
		return ScanStateComplete
	case ECRScanInProgress, ECRScanPending:
		return ScanStatePending
	case ECRScanUnsupportedImage:
		return ScanStateUnsupported
	case ECRScanFailed:
		if strings.HasPrefix(strings.TrimSpace(s.Description), unsupportedPrefix) {
			return ScanStateUnsupported
		}
		return ScanStateFailed
	case ECRScanLimitExceeded, ECRScanImageSizeExceeded:
		return ScanStateFailed
	case ECRScanEligibilityExpiry, ECRScanImageArchived:
		return ScanStateStale
	case ECRScanFindingsUnavail:
		// Inspector has no findings to give: nothing is known of the image.
		return ScanStateUnknown
	}
	return ScanStateUnknown
}

// scanResult is the judgement of one scanned image.
type scanResult struct {
	state    ScanState
	counts   map[string]int
	ignored  []IgnoredFinding
	reasons  []Reason
	warnings []string
}

// judgeScan judges one image's scan: its state, its counts once ignores
// are applied, and the reasons it fails. label names the image in messages.
func judgeScan(scanType ScanType, s ImageScan, label string, pushed time.Time,
	o FindingsOptions, now time.Time) scanResult {
	r := scanResult{state: NormaliseScan(scanType, s), counts: map[string]int{},
		ignored: []IgnoredFinding{}}
	status := s.Status
	if s.Description != "" {
		status += " (" + s.Description + ")"
	}

	switch r.state {
	case ScanStateComplete, ScanStateActive:
		if r.state == ScanStateComplete && o.MaxScanAge > 0 {
			if s.CompletedAt.IsZero() {
				r.state = ScanStateStale
				r.reason(CodeScanStale, "%s has a completed scan with no completion time, so "+
					"it cannot be shown to be newer than max_scan_age (%s)", label, o.MaxScanAge)
				break
			}
			if now.Sub(s.CompletedAt) > o.MaxScanAge {
				r.state = ScanStateStale
				r.reason(CodeScanStale, "%s was last scanned at %s, earlier than "+
					"max_scan_age (%s) allows", label, stamp(s.CompletedAt), o.MaxScanAge)
				break
			}
		}
		r.judgeFindings(s, label, o, now)
	case ScanStatePending:
		// Messages give absolute times, never durations up to now: the same
		// registry must give the same report_json on every run.
		what := "its scan is " + status
		if s.Status == ECRScanComplete || s.Status == ECRScanActive {
			what = fmt.Sprintf("its %s scan has no findings or severity counts yet", s.Status)
		}
		switch {
		case pushed.IsZero():
			r.reason(CodeScanPending, "%s has no push time and %s, so the %s grace period "+
				"(pending_grace_period) cannot be counted from its push", label, what,
				o.PendingGrace)
		case now.Sub(pushed) >= o.PendingGrace:
			r.reason(CodeScanPending, "%s was pushed at %s and %s, pending for longer than "+
				"the %s grace period (pending_grace_period)", label, stamp(pushed), what,
				o.PendingGrace)
		}
	case ScanStateUnsupported:
		msg := fmt.Sprintf("ECR cannot scan %s (scratch base or unsupported operating "+
			"system): %s", label, status)
		switch o.Unsupported {
		case UnsupportedWarn:
			r.warnings = append(r.warnings, msg)
		case UnsupportedIgnore:
		default:
			r.reasons = append(r.reasons, Reason{CodeImageUnsupported, msg})
		}
	case ScanStateFailed:
		r.reason(CodeScanFailed, "the scan of %s failed: %s", label, status)
	case ScanStateStale:
		r.reason(CodeScanStale, "the findings of %s are stale: %s", label, status)
	case ScanStateNoScan:
		// A scan on push may not exist yet for an image pushed a moment ago,
		// so the grace period that covers a pending scan covers this too.
		if !pushed.IsZero() && now.Sub(pushed) < o.PendingGrace {
			break
		}
		msg := label + " has never been scanned (ECR has no scan for it)"
		if !pushed.IsZero() {
			msg = fmt.Sprintf("%s was pushed at %s and has never been scanned (ECR has no "+
				"scan for it after the %s grace period)", label, stamp(pushed), o.PendingGrace)
		}
		if s.Description != "" {
			msg += ": " + s.Description
		}
		r.reasons = append(r.reasons, Reason{CodeNoScan, msg})
	default:
		if strings.EqualFold(s.Status, ECRScanFindingsUnavail) {
			r.reason(CodeScanStateUnknown, "ECR reports %s for %s: its findings are not "+
				"available (for example, the image's scan results expired or Amazon "+
				"Inspector cannot report them), so it is not taken as a pass", status, label)
			break
		}
		r.reason(CodeScanStateUnknown, "the scan of %s reports %s, a status the provider "+
			"does not know, so it is not taken as a pass", label, status)
	}
	return r
}

func (r *scanResult) reason(code Code, format string, args ...any) {
	r.reasons = append(r.reasons, Reason{code, fmt.Sprintf(format, args...)})
}

// judgeFindings counts a settled scan's findings against the threshold.
func (r *scanResult) judgeFindings(s ImageScan, label string, o FindingsOptions, now time.Time) {
	r.counts, r.ignored = countFindings(s, o.Ignored, now)
	if len(o.Ignored) > 0 && !s.FindingsComplete {
		r.warnings = append(r.warnings, fmt.Sprintf("ECR did not return the findings list "+
			"of %s, so ignored_vulnerability blocks could not be applied to it", label))
	}
	found := atOrAbove(r.counts, o)
	if found == "" {
		return
	}
	msg := fmt.Sprintf("%s has %s finding(s) at or above the %s threshold", label, found,
		o.Threshold)
	var expired []string
	for _, f := range r.ignored {
		if f.Expired && o.Rank(f.Severity) >= o.Threshold.rank() {
			expired = append(expired, fmt.Sprintf("%s (ignore expired %s)", f.ID, stamp(f.Expires)))
		}
	}
	if len(expired) > 0 {
		msg += "; counting again: " + strings.Join(expired, ", ")
	}
	r.reasons = append(r.reasons, Reason{CodeFindingsAtThreshold, msg})
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
