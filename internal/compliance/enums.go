// Package compliance decides whether ECR repositories meet control C-0221
// (CIS Amazon EKS Benchmark 5.1.1): images are scanned for vulnerabilities.
//
// It is plain Go with no Terraform or AWS types, so the data source, the
// resource and the provider functions share one implementation of ECR's
// filter matching, scan-frequency precedence and the judgement itself.
package compliance

import "slices"

// ScanType is the registry's scanning type.
type ScanType string

const (
	ScanTypeBasic    ScanType = "BASIC"
	ScanTypeEnhanced ScanType = "ENHANCED"
)

// ScanTypes lists every scan type, for validators and documentation.
var ScanTypes = []string{string(ScanTypeBasic), string(ScanTypeEnhanced)}

// Frequency is how often ECR scans a repository's images.
type Frequency string

const (
	FrequencyScanOnPush Frequency = "SCAN_ON_PUSH"
	FrequencyContinuous Frequency = "CONTINUOUS_SCAN"
	FrequencyManual     Frequency = "MANUAL"
)

// Frequencies are the frequencies a registry scanning rule may have under
// the scan type: BASIC scans on push, ENHANCED also continuously, and both
// have MANUAL, which ECR's rule frequency enum holds. An empty scan type is
// ECR's default, BASIC; an unknown one allows none.
func (t ScanType) Frequencies() []Frequency {
	switch t {
	case ScanTypeEnhanced:
		return []Frequency{FrequencyScanOnPush, FrequencyContinuous, FrequencyManual}
	case ScanTypeBasic, "":
		return []Frequency{FrequencyScanOnPush, FrequencyManual}
	}
	return nil
}

// Allows reports whether a registry scanning rule under the scan type may
// have frequency f.
func (t ScanType) Allows(f Frequency) bool { return slices.Contains(t.Frequencies(), f) }

// MinimumFrequencies are the frequencies a user may require.
var MinimumFrequencies = []string{string(FrequencyScanOnPush), string(FrequencyContinuous)}

// rank orders frequencies: a higher rank scans more.
func (f Frequency) rank() int {
	switch f {
	case FrequencyContinuous:
		return 2
	case FrequencyScanOnPush:
		return 1
	default:
		return 0
	}
}

// Scans reports whether the frequency scans images without a manual action.
func (f Frequency) Scans() bool { return f.rank() > 0 }

// AtLeast reports whether f scans at least as often as min.
func (f Frequency) AtLeast(min Frequency) bool { return f.rank() >= min.rank() }

// Policy selects how a repository is judged.
type Policy string

const (
	// PolicyEffective judges what ECR really does for the repository.
	PolicyEffective Policy = "effective"
	// PolicyKubescape reproduces Kubescape's C-0221 rule: the repository's
	// own scanOnPush flag must be true.
	PolicyKubescape Policy = "kubescape"
)

// Policies lists every policy.
var Policies = []string{string(PolicyEffective), string(PolicyKubescape)}

// Status is the verdict for one repository.
type Status string

const (
	StatusCompliant    Status = "COMPLIANT"
	StatusNoncompliant Status = "NONCOMPLIANT"
	StatusExempt       Status = "EXEMPT"
	StatusThirdParty   Status = "THIRD_PARTY"
	StatusNotFound     Status = "NOT_FOUND"
)

// Failing reports whether the status fails the control.
func (s Status) Failing() bool { return s == StatusNoncompliant || s == StatusNotFound }

// Code is a stable reason code users can match on.
type Code string

const (
	CodeNotFound              Code = "NOT_FOUND"
	CodeScanManual            Code = "SCAN_MANUAL"
	CodeNoMatchingRule        Code = "NO_MATCHING_RULE"
	CodeBelowMinimumFrequency Code = "BELOW_MINIMUM_FREQUENCY"
	CodeNotEnhanced           Code = "NOT_ENHANCED"
	CodeRepositoryFlagOff     Code = "REPOSITORY_FLAG_OFF"
	CodeExemptionExpired      Code = "EXEMPTION_EXPIRED"
	CodeFindingsAtThreshold   Code = "FINDINGS_AT_OR_ABOVE_THRESHOLD"
	CodeImageUnsupported      Code = "IMAGE_UNSUPPORTED"
	CodeScanFailed            Code = "SCAN_FAILED"
	CodeScanPending           Code = "SCAN_PENDING"
	CodeScanStale             Code = "SCAN_STALE"
	CodeNoScan                Code = "NO_SCAN"
	CodeScanStateUnknown      Code = "SCAN_STATE_UNKNOWN"
)

// ScanningCodes are the reason codes about how ECR is configured to scan a
// repository: the ones a third_party_scanner covers, and no others.
var ScanningCodes = []string{string(CodeScanManual), string(CodeNoMatchingRule),
	string(CodeBelowMinimumFrequency), string(CodeRepositoryFlagOff)}

// Reason explains why a repository fails, or would fail without an
// exemption or a third-party scanner.
type Reason struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// OnFailure is what a non-compliant result does to the plan.
const (
	OnFailureError   = "error"
	OnFailureWarning = "warning"
	OnFailureNone    = "none"
)

// OnFailureValues lists every on_failure value.
var OnFailureValues = []string{OnFailureError, OnFailureWarning, OnFailureNone}

// Report detail levels.
const (
	DetailAll          = "all"
	DetailNoncompliant = "noncompliant"
)

// DetailValues lists every report_detail value.
var DetailValues = []string{DetailAll, DetailNoncompliant}

// Statuses lists every status, for documentation.
var Statuses = []string{string(StatusCompliant), string(StatusNoncompliant),
	string(StatusExempt), string(StatusThirdParty), string(StatusNotFound)}

// Codes lists every reason code, for documentation.
var Codes = []string{string(CodeNotFound), string(CodeScanManual), string(CodeNoMatchingRule),
	string(CodeBelowMinimumFrequency), string(CodeNotEnhanced), string(CodeRepositoryFlagOff),
	string(CodeExemptionExpired), string(CodeFindingsAtThreshold), string(CodeImageUnsupported),
	string(CodeScanFailed), string(CodeScanPending), string(CodeScanStale), string(CodeNoScan),
	string(CodeScanStateUnknown)}
