package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/function"

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
				Description: "The registry's rules, a list of `{ scan_frequency, " +
					"repository_filters }` as `registry_rules` gives it."},
			function.StringParameter{Name: "repository_name",
				Description: "The repository's name."},
			function.BoolParameter{Name: "repository_scan_on_push",
				Description: "The repository's own (legacy) scanOnPush flag."},
		},
		Return: function.StringReturn{},
	}
}

func (effectiveScanFrequencyFunction) Run(ctx context.Context, req function.RunRequest,
	resp *function.RunResponse) {
	var scanType, name string
	var rules []ruleValue
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
	reg := compliance.Registry{ScanType: compliance.ScanType(scanType)}
	for i, r := range rules {
		rule, err := ruleFromValue(reg.ScanType, r)
		if err != nil {
			resp.Error = function.NewArgumentFuncError(1, fmt.Sprintf("rules[%d]: %v", i, err))
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

// ruleFromValue checks one rule as ECR would accept it under the scan type.
func ruleFromValue(scanType compliance.ScanType, r ruleValue) (compliance.Rule, error) {
	freq := compliance.Frequency(r.ScanFrequency)
	if !scanType.Allows(freq) {
		return compliance.Rule{}, fmt.Errorf("scan_frequency %q is not allowed under %s "+
			"scanning (allowed: %v)", r.ScanFrequency, scanType, scanType.Frequencies())
	}
	for _, f := range r.RepositoryFilters {
		if err := compliance.ValidateFilter(f); err != nil {
			return compliance.Rule{}, err
		}
	}
	return compliance.Rule{Frequency: freq, Filters: r.RepositoryFilters}, nil
}
