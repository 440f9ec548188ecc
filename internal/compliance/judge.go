package compliance

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Options are the user's choices that shape the judgement.
type Options struct {
	Policy          Policy
	Minimum         Frequency
	RequireEnhanced bool
	Exemptions      []Exemption
	ThirdParty      []ThirdPartyScanner
	// Findings turns on the latest-image vulnerability gate; nil is off.
	Findings *FindingsOptions
	Now      time.Time
}

// Observation is what was read about one selected repository.
type Observation struct {
	Name  string
	ARN   string
	URI   string
	Found bool
	// ScanOnPush is the legacy repository-level flag.
	ScanOnPush bool
	// Live is ECR's own per-repository answer, nil when it was not read.
	Live *Live
	// Image is the image the findings gate judges, nil when it was not
	// read (the gate is off) or the repository has no image.
	Image *ImageObservation
}

// Live is BatchGetRepositoryScanningConfiguration's answer for a repository.
type Live struct {
	Frequency Frequency
	Filters   []string
}

// Verdict is the judgement of one repository.
type Verdict struct {
	Name           string    `json:"name"`
	ARN            string    `json:"arn"`
	URI            string    `json:"uri"`
	Status         Status    `json:"status"`
	Reasons        []Reason  `json:"reasons"`
	Frequency      Frequency `json:"scan_frequency"`
	ScanOnPush     bool      `json:"repository_scan_on_push"`
	AppliedFilters []string  `json:"applied_scan_filters"`
	// Exemption is the reason of the exemption that excused the repository.
	Exemption string `json:"exemption_reason,omitempty"`
	// ThirdParty names the external scanner that covers the repository's
	// scanning configuration; set whenever one matches, whatever the status.
	ThirdParty string `json:"third_party_scanner,omitempty"`
	// Notes report what does not fail the repository but needs attention:
	// an expired exemption on a repository that passes without it.
	Notes []Reason `json:"notes,omitempty"`
	// LatestImage is the image the findings gate judged; nil when it is off.
	LatestImage *LatestImage `json:"latest_image,omitempty"`
	// Disagreement explains where ECR's answer differs from the provider's
	// own reading of the rules; ECR's answer is the one judged.
	Disagreement string `json:"-"`
}

// Judge decides one repository's status under the registry configuration.
func Judge(reg Registry, obs Observation, opts Options) Verdict {
	v := Verdict{
		Name: obs.Name, ARN: obs.ARN, URI: obs.URI,
		ScanOnPush: obs.ScanOnPush, Frequency: FrequencyManual,
		Reasons: []Reason{}, AppliedFilters: []string{},
	}
	if !obs.Found {
		v.Status = StatusNotFound
		v.Reasons = append(v.Reasons, Reason{CodeNotFound, fmt.Sprintf(
			"repository %q does not exist in registry %s", obs.Name, reg.ID)})
		return v
	}

	computed := EffectiveFrequency(reg, obs.Name, obs.ScanOnPush)
	v.Frequency, v.AppliedFilters = computed.Frequency, nonNil(computed.Filters)
	if obs.Live != nil {
		v.Frequency, v.AppliedFilters = obs.Live.Frequency, nonNil(obs.Live.Filters)
		if obs.Live.Frequency != computed.Frequency {
			v.Disagreement = fmt.Sprintf("ECR reports %s for %q where the registry rules read "+
				"as %s; the provider judges ECR's answer", obs.Live.Frequency, obs.Name,
				computed.Frequency)
		}
	}

	if opts.Policy == PolicyKubescape {
		v.Reasons = append(v.Reasons, kubescapeReasons(obs)...)
	} else {
		v.Reasons = append(v.Reasons, frequencyReasons(reg, v, computed, opts.Minimum)...)
	}
	if opts.RequireEnhanced && reg.ScanType != ScanTypeEnhanced {
		v.Reasons = append(v.Reasons, Reason{CodeNotEnhanced, fmt.Sprintf(
			"the registry's scan type is %s; ENHANCED (Amazon Inspector) is required",
			reg.ScanType)})
	}
	if opts.Findings != nil {
		var reasons []Reason
		v.LatestImage, reasons = judgeImage(reg.ScanType, obs.Image,
			opts.Findings.withDefaults(), opts.Now)
		v.Reasons = append(v.Reasons, reasons...)
	}
	v.settle(opts)
	return v
}

func kubescapeReasons(obs Observation) []Reason {
	if obs.ScanOnPush {
		return nil
	}
	return []Reason{{CodeRepositoryFlagOff,
		"the repository's imageScanningConfiguration.scanOnPush flag is false " +
			"(the kubescape policy reads only this flag)"}}
}

func frequencyReasons(reg Registry, v Verdict, computed Effective, minimum Frequency) []Reason {
	if minimum == "" {
		minimum = FrequencyScanOnPush
	}
	if v.Frequency.Scans() {
		if v.Frequency.AtLeast(minimum) {
			return nil
		}
		return []Reason{{CodeBelowMinimumFrequency, fmt.Sprintf(
			"scan frequency is %s; %s is required", v.Frequency, minimum)}}
	}

	reasons := []Reason{{CodeScanManual,
		"images are scanned only when a scan is started by hand (scan frequency MANUAL)"}}
	if len(v.AppliedFilters) == 0 && !computed.RuleMatched {
		msg := fmt.Sprintf("no registry scanning rule matches it under %s scanning", reg.ScanType)
		if reg.ScanType == ScanTypeEnhanced {
			msg += ", so Amazon Inspector does not scan it"
		} else if !v.ScanOnPush {
			msg += " and its repository scanOnPush flag is off"
		}
		reasons = append(reasons, Reason{CodeNoMatchingRule, msg})
	}
	return reasons
}

// settle turns the reasons into a status. A third-party scanner stands in
// for ECR's scanning configuration only (ScanningCodes): it passes a
// repository whose every reason it covers, and otherwise takes its reasons
// out and leaves the rest (NOT_ENHANCED, the image findings gate) to fail.
// An active exemption is an accepted risk and excuses every reason.
//
// Reasons are kept on a passing verdict: under THIRD_PARTY the ones the
// scanner covers, under EXEMPT the ones it would fail for without the
// exemption. An expired exemption is always reported: as a reason where the
// repository fails, as a note where it passes anyway.
func (v *Verdict) settle(opts Options) {
	var active *Exemption
	var expired []string
	for _, e := range opts.Exemptions {
		switch {
		case !e.Matches(v.Name):
		case e.Active(opts.Now):
			if active == nil {
				active = &e
			}
		default:
			expired = append(expired, stamp(e.Expires))
		}
	}

	v.Status = v.status(opts.ThirdParty, active)

	if len(expired) == 0 {
		return
	}
	lapsed := Reason{CodeExemptionExpired, fmt.Sprintf(
		"its exemption expired at %s and no longer counts", strings.Join(expired, ", "))}
	if v.Status == StatusNoncompliant {
		v.Reasons = append(v.Reasons, lapsed)
	} else {
		v.Notes = append(v.Notes, lapsed)
	}
}

// status decides the status from the reasons, the third-party scanners and
// the first active exemption that matches (nil for none).
func (v *Verdict) status(scanners []ThirdPartyScanner, active *Exemption) Status {
	if len(v.Reasons) == 0 {
		return StatusCompliant
	}
	for _, s := range scanners {
		if !MatchesAny(s.Filters, v.Name) {
			continue
		}
		v.ThirdParty = s.Name
		rest := slices.DeleteFunc(slices.Clone(v.Reasons), func(r Reason) bool {
			return slices.Contains(ScanningCodes, string(r.Code))
		})
		if len(rest) == 0 {
			return StatusThirdParty
		}
		v.Reasons = rest
		break
	}
	if active != nil {
		v.Exemption = active.Reason
		return StatusExempt
	}
	return StatusNoncompliant
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
