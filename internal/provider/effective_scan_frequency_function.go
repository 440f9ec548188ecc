package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

var _ function.Function = effectiveScanFrequencyFunction{}

func newEffectiveScanFrequencyFunction() function.Function {
	return effectiveScanFrequencyFunction{}
}

// effectiveScanFrequencyFunction is provider::c0221::effective_scan_frequency.
type effectiveScanFrequencyFunction struct{}

func (effectiveScanFrequencyFunction) Metadata(_ context.Context, _ function.MetadataRequest,
	resp *function.MetadataResponse) {
	resp.Name = "effective_scan_frequency"
}

func (effectiveScanFrequencyFunction) Definition(_ context.Context, _ function.DefinitionRequest,
	resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The scan frequency ECR will apply to a repository",
		Description: "Returns `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL` (not scanned): " +
			"the frequency ECR applies to a repository of this name under the registry's " +
			"scan type and rules, by ECR's precedence (continuous scanning wins where both " +
			"rules match; under ENHANCED a repository no rule matches is not scanned; under " +
			"BASIC the repository's own scanOnPush flag counts where no rule matches). It " +
			"runs at plan time on known values, so a `precondition` can fail the plan before " +
			"a repository is created.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "scan_type",
				Description: "The registry's scan type, `BASIC` or `ENHANCED`, as the " +
					"`scan_type` attribute of `c0221_repository_compliance` gives it."},
			function.ListParameter{Name: "rules", ElementType: ruleType,
				Description: fmt.Sprintf("The registry's rules, a list of `{ "+
					"scan_frequency, repository_filters }` as `registry_rules` gives it. As "+
					"in ECR, at most %d rules of 1 to %d filters each, with no null values.",
					compliance.MaxRules, compliance.MaxFiltersPerRule)},
			function.StringParameter{Name: "repository_name",
				Description: "The repository's name."},
			function.BoolParameter{Name: "repository_scan_on_push",
				Description: "The repository's own (legacy) scanOnPush flag."},
		},
		Return: function.StringReturn{},
	}
}

// ruleArgument is one element of the rules argument, in framework types so
// that a null inside it is an argument error rather than a conversion error.
type ruleArgument struct {
	ScanFrequency     types.String `tfsdk:"scan_frequency"`
	RepositoryFilters types.List   `tfsdk:"repository_filters"`
}

// errUnknownRule marks a rule with an unknown part: the result is unknown.
var errUnknownRule = errors.New("unknown")

func (effectiveScanFrequencyFunction) Run(ctx context.Context, req function.RunRequest,
	resp *function.RunResponse) {
	var scanType, name string
	var rules []*ruleArgument
	var scanOnPush bool
	resp.Error = req.Arguments.Get(ctx, &scanType, &rules, &name, &scanOnPush)
	if resp.Error != nil {
		return
	}

	if !slices.Contains(compliance.ScanTypes, scanType) {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf(
			"scan type %q is not one of %v", scanType, compliance.ScanTypes))
		return
	}
	if len(rules) > compliance.MaxRules {
		resp.Error = function.NewArgumentFuncError(1, fmt.Sprintf("%d rules given; ECR "+
			"allows at most %d in a registry scanning configuration", len(rules),
			compliance.MaxRules))
		return
	}
	reg := compliance.Registry{ScanType: compliance.ScanType(scanType)}
	for i, r := range rules {
		rule, err := ruleFromArgument(reg.ScanType, r)
		if errors.Is(err, errUnknownRule) {
			resp.Error = resp.Result.Set(ctx, types.StringUnknown())
			return
		}
		if err != nil {
			resp.Error = function.NewArgumentFuncError(1, fmt.Sprintf("rules[%d]%v", i, err))
			return
		}
		reg.Rules = append(reg.Rules, rule)
	}
	if err := compliance.ValidateRepositoryName(name); err != nil {
		resp.Error = function.NewArgumentFuncError(2, err.Error())
		return
	}

	eff := compliance.EffectiveFrequency(reg, name, scanOnPush)
	resp.Error = resp.Result.Set(ctx, string(eff.Frequency))
}

// ruleFromArgument checks one rule as ECR would accept it under the scan
// type. Its errors continue "rules[i]".
func ruleFromArgument(scanType compliance.ScanType, r *ruleArgument) (compliance.Rule, error) {
	switch {
	case r == nil:
		return compliance.Rule{}, errors.New(" is null; a rule is { scan_frequency, " +
			"repository_filters }")
	case r.ScanFrequency.IsUnknown() || r.RepositoryFilters.IsUnknown():
		return compliance.Rule{}, errUnknownRule
	case r.ScanFrequency.IsNull():
		return compliance.Rule{}, fmt.Errorf(": scan_frequency is null; give one of %v",
			scanType.Frequencies())
	case r.RepositoryFilters.IsNull():
		return compliance.Rule{}, errors.New(": repository_filters is null; a rule needs " +
			"a list of ECR wildcard filters")
	}

	freq := compliance.Frequency(r.ScanFrequency.ValueString())
	if !scanType.Allows(freq) {
		return compliance.Rule{}, fmt.Errorf(": scan_frequency %q is not allowed under %s "+
			"scanning (allowed: %v)", freq, scanType, scanType.Frequencies())
	}
	elems := r.RepositoryFilters.Elements()
	switch n := len(elems); {
	case n == 0:
		return compliance.Rule{}, fmt.Errorf(": no repository filters; ECR needs 1 to %d "+
			"in a rule", compliance.MaxFiltersPerRule)
	case n > compliance.MaxFiltersPerRule:
		return compliance.Rule{}, fmt.Errorf(": %d repository filters; ECR allows at most "+
			"%d in a rule", n, compliance.MaxFiltersPerRule)
	}
	filters := make([]string, 0, len(elems))
	for j, e := range elems {
		f, ok := e.(types.String)
		switch {
		case !ok || e.IsUnknown():
			return compliance.Rule{}, errUnknownRule
		case e.IsNull():
			return compliance.Rule{}, fmt.Errorf(": repository_filters[%d] is null", j)
		}
		if err := compliance.ValidateFilter(f.ValueString()); err != nil {
			return compliance.Rule{}, fmt.Errorf(": %w", err)
		}
		filters = append(filters, f.ValueString())
	}
	return compliance.Rule{Frequency: freq, Filters: filters}, nil
}
