package compliance

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Summary counts repositories by status.
type Summary struct {
	Total        int `json:"total"`
	Compliant    int `json:"compliant"`
	Noncompliant int `json:"noncompliant"`
	Exempt       int `json:"exempt"`
	ThirdParty   int `json:"third_party"`
	NotFound     int `json:"not_found"`
}

// Report is the judgement of a whole selection.
type Report struct {
	RegistryID        string    `json:"registry_id"`
	Region            string    `json:"region"`
	ScanType          ScanType  `json:"scan_type"`
	Rules             []Rule    `json:"registry_rules"`
	Policy            Policy    `json:"policy"`
	Compliant         bool      `json:"compliant"`
	Summary           Summary   `json:"summary"`
	NoncompliantNames []string  `json:"noncompliant_repository_names"`
	Repositories      []Verdict `json:"repositories"`
}

// NewReport sorts the verdicts by name and counts them. With detail
// "noncompliant" only failing repositories are kept in Repositories; the
// counts always cover every repository.
func NewReport(reg Registry, region string, policy Policy, verdicts []Verdict,
	detail string) Report {
	slices.SortFunc(verdicts, func(a, b Verdict) int { return strings.Compare(a.Name, b.Name) })

	r := Report{
		RegistryID: reg.ID, Region: region, ScanType: reg.ScanType, Policy: policy,
		Rules: reg.Rules, NoncompliantNames: []string{}, Repositories: []Verdict{},
	}
	if r.Rules == nil {
		r.Rules = []Rule{}
	}
	for _, v := range verdicts {
		r.Summary.Total++
		switch v.Status {
		case StatusCompliant:
			r.Summary.Compliant++
		case StatusNoncompliant:
			r.Summary.Noncompliant++
		case StatusExempt:
			r.Summary.Exempt++
		case StatusThirdParty:
			r.Summary.ThirdParty++
		case StatusNotFound:
			r.Summary.NotFound++
		}
		if v.Status.Failing() {
			r.NoncompliantNames = append(r.NoncompliantNames, v.Name)
		}
		if detail != DetailNoncompliant || v.Status.Failing() {
			r.Repositories = append(r.Repositories, v)
		}
	}
	r.Compliant = len(r.NoncompliantNames) == 0
	return r
}

// JSON renders the report as stable JSON: fields in a fixed order,
// repositories sorted by name.
func (r Report) JSON() string {
	b, err := json.Marshal(r)
	if err != nil {
		// Every field is a plain string, number, bool or slice of them.
		panic(fmt.Sprintf("compliance report is not serialisable: %v", err))
	}
	return string(b)
}

// Failing returns the failing verdicts in name order.
func (r Report) Failing() []Verdict {
	var out []Verdict
	for _, v := range r.Repositories {
		if v.Status.Failing() {
			out = append(out, v)
		}
	}
	return out
}

// FailureSummary is the one-line headline of a non-compliant result.
func (r Report) FailureSummary() string {
	return fmt.Sprintf("%d of %d ECR repositories fail control C-0221 (image scanning)",
		len(r.NoncompliantNames), r.Summary.Total)
}

// FailureDetail names up to limit failing repositories with their reasons and
// shows the fix that meets the options they were judged by.
func (r Report) FailureDetail(limit int, opts Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Registry %s in %s (scan type %s), policy %q: %d of %d selected "+
		"repositories fail control C-0221 (images scanned for vulnerabilities).\n\n",
		r.RegistryID, r.Region, r.ScanType, r.Policy, len(r.NoncompliantNames), r.Summary.Total)

	failing := r.Failing()
	for i, v := range failing {
		if i == limit {
			fmt.Fprintf(&b, "  ... and %d more (see noncompliant_repository_names)\n",
				len(failing)-limit)
			break
		}
		codes := make([]string, 0, len(v.Reasons))
		for _, reason := range v.Reasons {
			codes = append(codes, fmt.Sprintf("%s: %s", reason.Code, reason.Message))
		}
		fmt.Fprintf(&b, "  - %s: %s\n", v.Name, strings.Join(codes, "; "))
	}

	b.WriteString("\n")
	scanning, images := fixesNeeded(failing)
	switch {
	case !scanning && images:
		// Scanning is configured; only the images need work, said below.
	case r.Policy == PolicyKubescape:
		b.WriteString(r.repositoryFix(failing, limit))
	default:
		b.WriteString(r.registryFix(opts))
	}
	if images {
		if scanning {
			b.WriteString("\n\n")
		}
		b.WriteString(imageFix)
	}
	return b.String()
}

// imageFix is the advice for repositories the image findings gate fails.
const imageFix = "For images that fail the image_findings gate: rebuild them on a patched " +
	"base image and push again, wait for or start their scan (aws ecr start-image-scan " +
	"under basic scanning), or accept a vulnerability with an ignored_vulnerability block " +
	"that gives its id and a reason."

// fixesNeeded says whether the failing repositories need their scanning
// configured, their images fixed, or both.
func fixesNeeded(failing []Verdict) (scanning, images bool) {
	if len(failing) == 0 {
		return true, false
	}
	for _, v := range failing {
		for _, reason := range v.Reasons {
			if slices.Contains(FindingsCodes, string(reason.Code)) {
				images = true
			} else if reason.Code != CodeExemptionExpired {
				scanning = true
			}
		}
	}
	return scanning || !images, images
}

func (r Report) registryFix(opts Options) string {
	scanType, freq := r.ScanType, FrequencyScanOnPush
	if scanType == "" {
		scanType = ScanTypeBasic
	}
	if opts.Minimum == FrequencyContinuous {
		freq = FrequencyContinuous
	}
	if freq == FrequencyContinuous || opts.RequireEnhanced {
		scanType = ScanTypeEnhanced
	}
	scanTypeLine := ""
	if scanType != r.ScanType {
		scanTypeLine = fmt.Sprintf("    scan_type          = %q\n", scanType)
	}
	rules := MergeFilters(r.Rules, freq, []string{"*"})
	return fmt.Sprintf("To fix, scan every repository with a registry rule (this keeps the "+
		"registry's existing rules):\n\n"+
		"  aws ecr put-registry-scanning-configuration --region %s --scan-type %s \\\n"+
		"    --rules '%s'\n\n"+
		"or let Terraform keep it on:\n\n"+
		"  resource \"c0221_scan_enforcement\" \"registry\" {\n"+
		"%s"+
		"    scan_frequency     = %q\n"+
		"    repository_filters = [\"*\"]\n"+
		"  }\n\n"+
		"Repositories that are scanned elsewhere can be declared in a third_party_scanner "+
		"block, and accepted exceptions in an exemption block with a reason.",
		r.Region, scanType, CLIRules(rules), scanTypeLine, freq)
}

func (r Report) repositoryFix(failing []Verdict, limit int) string {
	names := make([]string, 0, min(len(failing), limit))
	for _, v := range failing[:min(len(failing), limit)] {
		if v.Status == StatusNoncompliant {
			names = append(names, v.Name)
		}
	}
	first := "REPOSITORY"
	if len(names) > 0 {
		first = names[0]
	}
	return fmt.Sprintf("To fix, set the repository flag the kubescape policy reads, for each "+
		"repository:\n\n"+
		"  aws ecr put-image-scanning-configuration --region %s --repository-name %s \\\n"+
		"    --image-scanning-configuration scanOnPush=true\n\n"+
		"or let Terraform keep it on:\n\n"+
		"  resource \"c0221_scan_enforcement\" \"repositories\" {\n"+
		"    mode             = \"repository\"\n"+
		"    repository_names = %s\n"+
		"  }\n", r.Region, first, quoteList(names))
}

// MergeFilters returns a copy of rules in which the rule of the given
// frequency also holds filters, creating that rule when it is missing. Rules
// and filters already present are kept as they are.
func MergeFilters(rules []Rule, freq Frequency, filters []string) []Rule {
	out := make([]Rule, 0, len(rules)+1)
	merged := false
	for _, rule := range rules {
		rule.Filters = slices.Clone(rule.Filters)
		if rule.Frequency == freq && !merged {
			rule.Filters = AppendMissing(rule.Filters, filters...)
			merged = true
		}
		out = append(out, rule)
	}
	if !merged {
		fresh := AppendMissing(make([]string, 0, len(filters)), filters...)
		out = append(out, Rule{Frequency: freq, Filters: fresh})
	}
	return out
}

// CLIRules renders rules as the AWS CLI's --rules JSON.
func CLIRules(rules []Rule) string {
	type filter struct {
		Filter     string `json:"filter"`
		FilterType string `json:"filterType"`
	}
	type rule struct {
		ScanFrequency     Frequency `json:"scanFrequency"`
		RepositoryFilters []filter  `json:"repositoryFilters"`
	}
	out := make([]rule, 0, len(rules))
	for _, r := range rules {
		fs := make([]filter, 0, len(r.Filters))
		for _, f := range r.Filters {
			fs = append(fs, filter{f, "WILDCARD"})
		}
		out = append(out, rule{r.Frequency, fs})
	}
	b, _ := json.Marshal(out)
	return string(b)
}
