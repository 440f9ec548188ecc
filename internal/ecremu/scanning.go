package ecremu

import (
	"fmt"
	"strings"
)

// Scan types, scan frequencies and the filter type of registry scanning.
const (
	ScanTypeBasic    = "BASIC"
	ScanTypeEnhanced = "ENHANCED"

	FrequencyScanOnPush     = "SCAN_ON_PUSH"
	FrequencyContinuousScan = "CONTINUOUS_SCAN"
	FrequencyManual         = "MANUAL"

	FilterTypeWildcard = "WILDCARD"
)

// ScanningConfiguration is a Region's registry scanning configuration, as
// GetRegistryScanningConfiguration returns it.
type ScanningConfiguration struct {
	ScanType string         `json:"scanType"`
	Rules    []ScanningRule `json:"rules"`
}

// ScanningRule is one registry scanning rule.
type ScanningRule struct {
	ScanFrequency     string             `json:"scanFrequency"`
	RepositoryFilters []RepositoryFilter `json:"repositoryFilters"`
}

// RepositoryFilter is a scanning repository filter.
type RepositoryFilter struct {
	Filter     string `json:"filter"`
	FilterType string `json:"filterType"`
}

func defaultScanning() ScanningConfiguration {
	return ScanningConfiguration{ScanType: ScanTypeBasic, Rules: []ScanningRule{}}
}

// clone returns a deep copy whose Rules and filter lists are never nil.
func (c ScanningConfiguration) clone() ScanningConfiguration {
	out := ScanningConfiguration{ScanType: c.ScanType, Rules: make([]ScanningRule, 0, len(c.Rules))}
	for _, r := range c.Rules {
		fs := append(make([]RepositoryFilter, 0, len(r.RepositoryFilters)), r.RepositoryFilters...)
		out.Rules = append(out.Rules, ScanningRule{ScanFrequency: r.ScanFrequency, RepositoryFilters: fs})
	}
	return out
}

// matchFilter implements ECR's WILDCARD repository filter: a filter without
// `*` matches every name containing it; a filter with `*` must match the
// whole name, each `*` standing for zero or more characters.
func matchFilter(filter, name string) bool {
	if !strings.Contains(filter, "*") {
		return strings.Contains(name, filter)
	}
	return globMatch(filter, name)
}

// globMatch matches name against pattern p whose only metacharacter is `*`,
// anchored at both ends. It backtracks only to the last `*` seen, so it runs
// in O(len(p)*len(name)) at worst.
func globMatch(p, name string) bool {
	pi, ni := 0, 0
	star, resume := -1, 0
	for ni < len(name) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, resume = pi, ni
			pi++
		case pi < len(p) && p[pi] == name[ni]:
			pi++
			ni++
		case star >= 0:
			resume++
			pi, ni = star+1, resume
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// effectiveScanning decides a repository's scan frequency and the filters
// that decided it.
//
// ENHANCED: the CONTINUOUS_SCAN rule wins over SCAN_ON_PUSH when both match;
// no match means MANUAL (scanning off) and the legacy flag is ignored.
// BASIC: a matching SCAN_ON_PUSH rule gives SCAN_ON_PUSH; with no match the
// legacy repository flag decides when legacyUnderBasic is set, else MANUAL.
func effectiveScanning(cfg ScanningConfiguration, name string,
	legacyFlag, legacyUnderBasic bool) (string, []RepositoryFilter) {
	order := []string{FrequencyScanOnPush}
	if cfg.ScanType == ScanTypeEnhanced {
		order = []string{FrequencyContinuousScan, FrequencyScanOnPush}
	}
	for _, freq := range order {
		var applied []RepositoryFilter
		for _, rule := range cfg.Rules {
			if rule.ScanFrequency != freq {
				continue
			}
			for _, f := range rule.RepositoryFilters {
				if matchFilter(f.Filter, name) {
					applied = append(applied, f)
				}
			}
		}
		if len(applied) > 0 {
			return freq, applied
		}
	}
	if cfg.ScanType != ScanTypeEnhanced && legacyUnderBasic && legacyFlag {
		return FrequencyScanOnPush, []RepositoryFilter{}
	}
	return FrequencyManual, []RepositoryFilter{}
}

// scanningIn is the PutRegistryScanningConfiguration request.
type scanningIn struct {
	ScanType *string          `json:"scanType"`
	Rules    []scanningRuleIn `json:"rules"`
}

type scanningRuleIn struct {
	ScanFrequency     *string              `json:"scanFrequency"`
	RepositoryFilters []repositoryFilterIn `json:"repositoryFilters"`
}

type repositoryFilterIn struct {
	Filter     *string `json:"filter"`
	FilterType *string `json:"filterType"`
}

// validateScanning checks a requested configuration as ECR does and returns
// it normalised (missing scanType is BASIC).
func validateScanning(in *scanningIn) (ScanningConfiguration, *apiError) {
	var v violations
	v.checkEnum("scanType", in.ScanType, ScanTypeBasic, ScanTypeEnhanced)
	v.checkListLen("rules", len(in.Rules), 0, 2, in.Rules != nil)
	scanType := ScanTypeBasic
	if in.ScanType != nil {
		scanType = *in.ScanType
	}
	out := ScanningConfiguration{ScanType: scanType, Rules: []ScanningRule{}}
	for i, r := range in.Rules {
		base := fmt.Sprintf("rules.%d.member", i+1)
		if r.ScanFrequency == nil {
			v.add(base+".scanFrequency", "null", "Member must not be null")
		} else {
			v.checkEnum(base+".scanFrequency", r.ScanFrequency,
				FrequencyScanOnPush, FrequencyContinuousScan, FrequencyManual)
		}
		if r.RepositoryFilters == nil {
			v.add(base+".repositoryFilters", "null", "Member must not be null")
		}
		v.checkListLen(base+".repositoryFilters", len(r.RepositoryFilters), 1, 100, r.RepositoryFilters != nil)
		rule := ScanningRule{RepositoryFilters: []RepositoryFilter{}}
		if r.ScanFrequency != nil {
			rule.ScanFrequency = *r.ScanFrequency
		}
		for j, f := range r.RepositoryFilters {
			fp := fmt.Sprintf("%s.repositoryFilters.%d.member", base, j+1)
			switch {
			case f.Filter == nil:
				v.add(fp+".filter", "null", "Member must not be null")
			case len(*f.Filter) < 1 || len(*f.Filter) > 255:
				v.add(fp+".filter", quoteVal(*f.Filter), "Member must have length between 1 and 255")
			case !filterRE.MatchString(*f.Filter):
				v.add(fp+".filter", quoteVal(*f.Filter), "Member must satisfy regular expression pattern: "+filterPattern)
			}
			if f.FilterType == nil {
				v.add(fp+".filterType", "null", "Member must not be null")
			} else {
				v.checkEnum(fp+".filterType", f.FilterType, FilterTypeWildcard)
			}
			if f.Filter != nil && f.FilterType != nil {
				rule.RepositoryFilters = append(rule.RepositoryFilters,
					RepositoryFilter{Filter: *f.Filter, FilterType: *f.FilterType})
			}
		}
		out.Rules = append(out.Rules, rule)
	}
	if e := v.err(styleValidation); e != nil {
		return ScanningConfiguration{}, e
	}
	// Semantic checks once the shape is valid.
	for _, r := range out.Rules {
		switch {
		case r.ScanFrequency == FrequencyManual:
			return ScanningConfiguration{}, newAPIError(codeValidation,
				"Invalid scanFrequency 'MANUAL': a registry scanning rule must scan on push or continuously; "+
					"omit the rule to scan manually")
		case scanType == ScanTypeBasic && r.ScanFrequency != FrequencyScanOnPush:
			return ScanningConfiguration{}, newAPIError(codeValidation,
				"Invalid scanFrequency '%s' for scanType 'BASIC': basic scanning supports only SCAN_ON_PUSH",
				r.ScanFrequency)
		}
	}
	return out, nil
}

// toScanningIn turns a Go-side configuration into a request shape so that
// seeds and helpers are validated exactly like PutRegistryScanningConfiguration.
func toScanningIn(scanType string, rules []ScanningRule) *scanningIn {
	in := &scanningIn{}
	if scanType != "" {
		in.ScanType = &scanType
	}
	for _, r := range rules {
		rr := scanningRuleIn{ScanFrequency: ptr(r.ScanFrequency)}
		for _, f := range r.RepositoryFilters {
			ft := f.FilterType
			if ft == "" {
				ft = FilterTypeWildcard
			}
			rr.RepositoryFilters = append(rr.RepositoryFilters,
				repositoryFilterIn{Filter: ptr(f.Filter), FilterType: ptr(ft)})
		}
		in.Rules = append(in.Rules, rr)
	}
	return in
}

func ptr[T any](v T) *T { return &v }
