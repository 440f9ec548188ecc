package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

var _ function.Function = filterMatchesFunction{}

func newFilterMatchesFunction() function.Function { return filterMatchesFunction{} }

// filterMatchesFunction is provider::c0221::filter_matches.
type filterMatchesFunction struct{}

func (filterMatchesFunction) Metadata(_ context.Context, _ function.MetadataRequest,
	resp *function.MetadataResponse) {
	resp.Name = "filter_matches"
}

func (filterMatchesFunction) Definition(_ context.Context, _ function.DefinitionRequest,
	resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Whether an ECR scanning filter selects a repository name",
		Description: "Returns true when the ECR wildcard filter selects the repository " +
			"name, exactly as ECR matches registry scanning filters: a filter without `*` " +
			"matches every name that contains it, a filter with `*` must match the whole " +
			"name, each `*` standing for zero or more characters.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "filter",
				Description: "An ECR wildcard filter, such as `prod` or `team-*`."},
			function.StringParameter{Name: "repository_name",
				Description: "An ECR repository name."},
		},
		Return: function.BoolReturn{},
	}
}

func (filterMatchesFunction) Run(ctx context.Context, req function.RunRequest,
	resp *function.RunResponse) {
	var filter, name string
	resp.Error = req.Arguments.Get(ctx, &filter, &name)
	if resp.Error != nil {
		return
	}
	if err := compliance.ValidateFilter(filter); err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	if err := compliance.ValidateRepositoryName(name); err != nil {
		resp.Error = function.NewArgumentFuncError(1, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, compliance.FilterMatches(filter, name))
}
