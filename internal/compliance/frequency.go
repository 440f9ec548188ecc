package compliance

// Rule is one registry scanning rule as ECR stores it.
type Rule struct {
	Frequency Frequency `json:"scan_frequency"`
	Filters   []string  `json:"repository_filters"`
}

// Registry is a registry's scanning configuration in one Region.
type Registry struct {
	ID       string   `json:"registry_id"`
	ScanType ScanType `json:"scan_type"`
	Rules    []Rule   `json:"registry_rules"`
}

// Effective is the scan frequency ECR applies to one repository and why.
type Effective struct {
	Frequency Frequency
	// Filters are the filters of the deciding rule that match the name.
	Filters []string
	// RuleMatched is true when a registry rule decided the frequency.
	RuleMatched bool
}

// EffectiveFrequency computes the frequency ECR applies to a repository from
// the registry's scan type and rules and the repository's legacy scanOnPush
// flag.
//
// Under ENHANCED a repository no rule matches is not scanned (MANUAL), and
// CONTINUOUS_SCAN wins where both rules match. Under BASIC only SCAN_ON_PUSH
// rules exist; where none matches, the legacy flag decides. ECR does not
// document that last case, so callers prefer ECR's own per-repository answer
// and use this to explain it.
func EffectiveFrequency(registry Registry, name string, scanOnPush bool) Effective {
	best := Effective{Frequency: FrequencyManual}
	for _, rule := range registry.Rules {
		matched := matchingFilters(rule.Filters, name)
		if len(matched) == 0 {
			continue
		}
		freq := rule.Frequency
		if !registry.ScanType.Allows(freq) {
			// A frequency the scan type does not have (CONTINUOUS_SCAN under
			// BASIC) scans nothing; ECR refuses such a rule.
			freq = FrequencyManual
		}
		if !best.RuleMatched || freq.rank() > best.Frequency.rank() {
			best = Effective{Frequency: freq, Filters: matched, RuleMatched: true}
		}
	}

	if !best.RuleMatched && registry.ScanType != ScanTypeEnhanced && scanOnPush {
		best.Frequency = FrequencyScanOnPush
	}
	return best
}

func matchingFilters(filters []string, name string) []string {
	var out []string
	for _, f := range filters {
		if FilterMatches(f, name) {
			out = append(out, f)
		}
	}
	return out
}
