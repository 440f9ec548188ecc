package compliance

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Severity is a finding severity as ECR reports it in findingSeverityCounts.
type Severity string

const (
	SeverityCritical      Severity = "CRITICAL"
	SeverityHigh          Severity = "HIGH"
	SeverityMedium        Severity = "MEDIUM"
	SeverityLow           Severity = "LOW"
	SeverityInformational Severity = "INFORMATIONAL"
	SeverityUndefined     Severity = "UNDEFINED"
)

// Severities lists the severities a user may name, most severe first; the
// order is the ranking.
var Severities = []string{string(SeverityCritical), string(SeverityHigh),
	string(SeverityMedium), string(SeverityLow), string(SeverityInformational),
	string(SeverityUndefined)}

// rank orders the known severities (CRITICAL highest, UNDEFINED 0); a key
// ECR adds that the provider does not know ranks -1.
func (s Severity) rank() int {
	i := slices.Index(Severities, string(s))
	if i < 0 {
		return -1
	}
	return len(Severities) - 1 - i
}

// Unsupported-image actions: what an image ECR cannot scan does.
const (
	UnsupportedFail   = "fail"
	UnsupportedWarn   = "warn"
	UnsupportedIgnore = "ignore"
)

// UnsupportedActions lists every unsupported_image value.
var UnsupportedActions = []string{UnsupportedFail, UnsupportedWarn, UnsupportedIgnore}

// FindingsCodes are the reason codes the image findings gate produces.
var FindingsCodes = []string{string(CodeFindingsAtThreshold), string(CodeImageUnsupported),
	string(CodeScanFailed), string(CodeScanPending), string(CodeScanStale), string(CodeNoScan),
	string(CodeScanStateUnknown)}

// Defaults of the image findings gate.
const (
	DefaultSeverityThreshold = SeverityHigh
	DefaultPendingGrace      = 30 * time.Minute
)

// FindingsOptions are the settings of the latest-image vulnerability gate.
type FindingsOptions struct {
	// Threshold fails an image with any finding at or above it (default HIGH).
	Threshold Severity `json:"severity_threshold"`
	// UndefinedAs ranks UNDEFINED and unknown severity keys (default UNDEFINED).
	UndefinedAs Severity               `json:"undefined_severity_as"`
	Ignored     []IgnoredVulnerability `json:"ignored_vulnerabilities,omitempty"`
	// Unsupported is fail (default), warn or ignore.
	Unsupported string `json:"unsupported_image"`
	// PendingGrace is how long after the push a pending scan does not fail.
	PendingGrace time.Duration `json:"pending_grace_period"`
	// MaxScanAge makes a completed scan older than it stale; 0 is unset.
	MaxScanAge time.Duration `json:"max_scan_age,omitempty"`
	// ImageTag judges the image with this tag instead of the newest.
	ImageTag string `json:"image_tag,omitempty"`
}

// IgnoredVulnerability is a vulnerability whose findings do not count.
type IgnoredVulnerability struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
	// Expires is the first instant the ignore no longer counts; zero never.
	Expires time.Time `json:"expires,omitzero"`
}

func (o FindingsOptions) withDefaults() FindingsOptions {
	if o.Threshold == "" {
		o.Threshold = DefaultSeverityThreshold
	}
	if o.UndefinedAs == "" {
		o.UndefinedAs = SeverityUndefined
	}
	if o.Unsupported == "" {
		o.Unsupported = UnsupportedFail
	}
	return o
}

// Rank is where a severity count key stands against the threshold:
// UNDEFINED and keys the provider does not know (UNTRIAGED, ...) rank as
// UndefinedAs.
func (o FindingsOptions) Rank(key string) int {
	s := Severity(strings.ToUpper(key))
	if s == SeverityUndefined || s.rank() < 0 {
		return o.withDefaults().UndefinedAs.rank()
	}
	return s.rank()
}

// Finding is one vulnerability finding of an image, basic or enhanced.
type Finding struct {
	// ID is the vulnerability (a CVE id for most sources).
	ID       string
	Severity string
}

// IgnoredFinding is a finding an ignored_vulnerability block matched.
type IgnoredFinding struct {
	ID       string    `json:"id"`
	Severity string    `json:"severity"`
	Reason   string    `json:"reason"`
	Expires  time.Time `json:"expires,omitzero"`
	// Expired ignores no longer count: their findings count again.
	Expired bool `json:"expired"`
}

// countFindings returns the severity counts that remain once the active
// ignores are taken out, and the findings the ignores matched. Every count
// key is kept; counts never go below zero when ECR's counts and its
// findings list disagree.
func countFindings(scan ImageScan, ignored []IgnoredVulnerability,
	now time.Time) (map[string]int, []IgnoredFinding) {
	counts := map[string]int{}
	for k, n := range scan.Counts {
		counts[k] = n
	}
	if scan.Counts == nil {
		for _, f := range scan.Findings {
			counts[severityKey(f.Severity)]++
		}
	}

	out := []IgnoredFinding{}
	seen := map[IgnoredFinding]bool{}
	for _, f := range scan.Findings {
		i := slices.IndexFunc(ignored, func(iv IgnoredVulnerability) bool {
			return strings.EqualFold(strings.TrimSpace(iv.ID), f.ID)
		})
		if i < 0 {
			continue
		}
		iv := ignored[i]
		item := IgnoredFinding{ID: f.ID, Severity: severityKey(f.Severity), Reason: iv.Reason,
			Expires: iv.Expires, Expired: !iv.Expires.IsZero() && !now.Before(iv.Expires)}
		if !item.Expired && counts[item.Severity] > 0 {
			counts[item.Severity]--
		}
		if !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	slices.SortFunc(out, func(a, b IgnoredFinding) int {
		return strings.Compare(a.ID+"\x00"+a.Severity, b.ID+"\x00"+b.Severity)
	})
	return counts, out
}

func severityKey(s string) string {
	if s == "" {
		return string(SeverityUndefined)
	}
	return s
}

// atOrAbove lists the counts at or above the threshold, most severe first,
// e.g. "1 CRITICAL, 2 HIGH"; empty when none.
func atOrAbove(counts map[string]int, o FindingsOptions) string {
	keys := make([]string, 0, len(counts))
	for k, n := range counts {
		if n > 0 && o.Rank(k) >= o.Threshold.rank() {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		if d := o.Rank(b) - o.Rank(a); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	return strings.Join(parts, ", ")
}

// highest is the rank of the most severe non-zero count, -2 when none.
func highest(counts map[string]int, o FindingsOptions) int {
	best := -2
	for k, n := range counts {
		if n > 0 {
			best = max(best, o.Rank(k))
		}
	}
	return best
}

func total(counts map[string]int) int {
	sum := 0
	for _, n := range counts {
		sum += n
	}
	return sum
}

var (
	dayPrefix = regexp.MustCompile(`^(\d+)d`)
	// goDuration is time.ParseDuration's syntax, to tell a value that
	// overflows from one that is not a duration at all.
	goDuration = regexp.MustCompile(`^[-+]?((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$`)
)

// MaxDuration is the longest duration ParseDuration accepts: ten years
// (3650d), beyond any sensible grace period or scan age and far inside
// time.Duration's range, so no sum of days and hours can wrap around.
const MaxDuration = 3650 * 24 * time.Hour

// ParseDuration reads a Go duration ("30m", "1h30m") that may start with
// whole days ("7d", "1d12h"). Negative durations and durations longer than
// MaxDuration are refused.
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a duration such as 30m, 12h or 7d", s)
	tooLong := fmt.Errorf("%q is longer than the maximum of 3650d (%s, ten years)", s,
		MaxDuration)
	var days time.Duration
	rest := s
	if m := dayPrefix.FindStringSubmatch(s); m != nil {
		// Only digits: Atoi fails only when the number overflows.
		n, err := strconv.Atoi(m[1])
		if err != nil || time.Duration(n) > MaxDuration/(24*time.Hour) {
			return 0, tooLong
		}
		days, rest = time.Duration(n)*24*time.Hour, s[len(m[0]):]
	}
	var d time.Duration
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil {
			if goDuration.MatchString(rest) {
				return 0, tooLong
			}
			return 0, bad
		}
	} else if days == 0 && s != "0d" {
		return 0, bad
	}
	switch {
	case d < 0:
		return 0, fmt.Errorf("%q is negative; a duration must be zero or more", s)
	case d > MaxDuration || days+d > MaxDuration:
		return 0, tooLong
	}
	return days + d, nil
}
