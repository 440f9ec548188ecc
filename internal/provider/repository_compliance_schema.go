package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

// complianceArguments are the data source's arguments.
func complianceArguments() map[string]schema.Attribute {
	filters := listvalidator.ValueStringsAre(filterValidator())
	return map[string]schema.Attribute{
		"region": schema.StringAttribute{
			Optional: true, Computed: true,
			Description: "AWS Region to read. Defaults to the provider's Region.",
			Validators:  []validator.String{regionValidator()},
		},
		"registry_id": schema.StringAttribute{
			Optional: true, Computed: true,
			Description: "Registry (AWS account ID) to read. Defaults to the caller's. ECR " +
				"reports scanning configuration only to the registry's own account.",
			Validators: []validator.String{stringvalidator.RegexMatches(accountIDPattern,
				"must be a 12-digit AWS account ID")},
		},
		"repository_names": schema.SetAttribute{
			ElementType: types.StringType, Optional: true,
			Description: "Exact repository names to check. A name that does not exist is " +
				"`NOT_FOUND` and non-compliant. An empty set checks no repository but " +
				"still reads the registry rules. Conflicts with the filter arguments.",
			Validators: []validator.Set{
				setvalidator.NoNullValues(),
				setvalidator.ValueStringsAre(repositoryNameValidator()),
				setvalidator.ConflictsWith(path.MatchRoot("repository_filters"),
					path.MatchRoot("exclude_repository_filters")),
			},
		},
		"repository_filters": schema.ListAttribute{
			ElementType: types.StringType, Optional: true, Computed: true,
			Description: "ECR wildcard filters that select repositories, matched as ECR " +
				"matches its own scanning filters: a filter without `*` matches every name " +
				"that contains it, a filter with `*` must match the whole name. " +
				"Defaults to `[\"*\"]`.",
			Validators: []validator.List{listvalidator.SizeAtLeast(1),
				listvalidator.NoNullValues(), filters},
		},
		"exclude_repository_filters": schema.ListAttribute{
			ElementType: types.StringType, Optional: true, Computed: true,
			Description: "ECR wildcard filters removed from the selection. Defaults to `[]`.",
			Validators:  []validator.List{listvalidator.NoNullValues(), filters},
		},
		"policy": schema.StringAttribute{
			Optional: true, Computed: true,
			Description: enumDescription("How repositories are judged. `effective` judges "+
				"what ECR really does (registry rules, scan type and the repository flag, by "+
				"ECR's precedence); `kubescape` reproduces Kubescape's C-0221 rule literally "+
				"(the repository's own scanOnPush flag must be true).",
				compliance.Policies, string(compliance.PolicyEffective)),
			Validators: []validator.String{stringvalidator.OneOf(compliance.Policies...)},
		},
		"minimum_scan_frequency": schema.StringAttribute{
			Optional: true, Computed: true,
			Description: enumDescription("The least scan frequency that passes; continuous "+
				"scanning also satisfies scan on push.", compliance.MinimumFrequencies,
				string(compliance.FrequencyScanOnPush)),
			Validators: []validator.String{stringvalidator.OneOf(compliance.MinimumFrequencies...)},
		},
		"require_enhanced_scanning": schema.BoolAttribute{
			Optional: true, Computed: true,
			Description: "Require the registry's scan type to be `ENHANCED` (Amazon " +
				"Inspector). Defaults to `false`.",
		},
		"on_failure": schema.StringAttribute{
			Optional: true, Computed: true,
			Description: enumDescription("What a non-compliant result does: `error` fails "+
				"plan and apply, `warning` shows a warning, `none` only sets the attributes.",
				compliance.OnFailureValues, compliance.OnFailureError),
			Validators: []validator.String{stringvalidator.OneOf(compliance.OnFailureValues...)},
		},
		"report_detail": schema.StringAttribute{
			Optional: true, Computed: true,
			Description: enumDescription("Which repositories appear in `repositories` and "+
				"`report_json`: `all`, or only the failing ones with `noncompliant`, which "+
				"keeps state small in very large registries. `summary` always counts all.",
				compliance.DetailValues, compliance.DetailAll),
			Validators: []validator.String{stringvalidator.OneOf(compliance.DetailValues...)},
		},
	}
}

func exemptionBlock() schema.Block {
	return schema.ListNestedBlock{
		Description: "A repository excused from the control, with a reason. A repository " +
			"that fails and matches an active exemption has status `EXEMPT`.",
		NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
			"repository": schema.StringAttribute{
				Required: true,
				Description: "An exact repository name, or, with `*`, an ECR wildcard filter " +
					"that must match the whole name.",
				Validators: []validator.String{exemptionTargetValidator()},
			},
			"reason": schema.StringAttribute{
				Required:    true,
				Description: "Why the repository is exempt; shown in the report.",
				Validators:  []validator.String{nonBlank()},
			},
			"expires": schema.StringAttribute{
				Optional: true,
				Description: "When the exemption stops counting: an RFC 3339 date-time, or " +
					"a date, which lasts through that day (UTC). An expired exemption is " +
					"reported with `EXEMPTION_EXPIRED`: among the `reasons` of a repository " +
					"that fails, and otherwise (a repository that passes anyway, such as " +
					"one a `third_party_scanner` covers) in a warning and in the " +
					"repository's `notes` in `report_json`.",
				Validators: []validator.String{expiryValidator()},
			},
		}},
	}
}

func thirdPartyBlock() schema.Block {
	return schema.ListNestedBlock{
		Description: "An external scanner that covers repositories, as the control allows. " +
			"It stands in for ECR's scanning configuration only: a repository whose every " +
			"failure is one of " + codeList(compliance.ScanningCodes) + " has status " +
			"`THIRD_PARTY`; `NOT_ENHANCED` and the `image_findings` reasons still fail it " +
			"(an `exemption` accepts those).",
		NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required: true, Description: "Name of the scanner, shown in the report.",
				Validators: []validator.String{nonBlank()},
			},
			"repository_filters": schema.ListAttribute{
				ElementType: types.StringType, Required: true,
				Description: "ECR wildcard filters of the repositories the scanner covers.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1),
					listvalidator.NoNullValues(),
					listvalidator.ValueStringsAre(filterValidator())},
			},
		}},
	}
}

func complianceComputed() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed: true,
			Description: "Identifier that stays the same for the same arguments against " +
				"the same registry and Region.",
		},
		"scan_type": schema.StringAttribute{
			Computed:    true,
			Description: "The registry's scan type as ECR has it: `BASIC` or `ENHANCED`.",
		},
		"registry_rules": schema.ListNestedAttribute{
			Computed: true,
			Description: "The registry's scanning rules as ECR has them, in ECR's order. " +
				"Pass them to `provider::c0221::effective_scan_frequency`.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"scan_frequency": schema.StringAttribute{Computed: true,
					Description: "`SCAN_ON_PUSH` or `CONTINUOUS_SCAN`."},
				"repository_filters": schema.ListAttribute{Computed: true,
					ElementType: types.StringType,
					Description: "The rule's ECR wildcard filters."},
			}},
		},
		"compliant": schema.BoolAttribute{
			Computed:    true,
			Description: "Whether every selected repository passes.",
		},
		"summary": schema.SingleNestedAttribute{
			Computed:    true,
			Description: "How many selected repositories have each status.",
			Attributes: map[string]schema.Attribute{
				"total":        countAttribute("All selected repositories."),
				"compliant":    countAttribute("Repositories with status `COMPLIANT`."),
				"noncompliant": countAttribute("Repositories with status `NONCOMPLIANT`."),
				"exempt":       countAttribute("Repositories with status `EXEMPT`."),
				"third_party":  countAttribute("Repositories with status `THIRD_PARTY`."),
				"not_found":    countAttribute("Named repositories that do not exist."),
			},
		},
		"noncompliant_repository_names": schema.ListAttribute{
			Computed: true, ElementType: types.StringType,
			Description: "Sorted names of the failing repositories (`NONCOMPLIANT` and " +
				"`NOT_FOUND`), whatever `report_detail` says.",
		},
		"repositories": schema.ListNestedAttribute{
			Computed:    true,
			Description: "The judged repositories, sorted by name (see `report_detail`).",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name": schema.StringAttribute{Computed: true, Description: "Repository name."},
				"arn":  schema.StringAttribute{Computed: true, Description: "Repository ARN."},
				"uri":  schema.StringAttribute{Computed: true, Description: "Repository URI."},
				"status": schema.StringAttribute{Computed: true,
					Description: "The verdict: " + codeList(compliance.Statuses) + "."},
				"reasons": schema.ListNestedAttribute{
					Computed: true,
					Description: "Why the repository fails; under `EXEMPT`, why it would " +
						"fail without the exemption; under `THIRD_PARTY`, the " +
						"scanning-configuration reasons the scanner covers.",
					NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
						"code": schema.StringAttribute{Computed: true,
							Description: "A stable code: " + codeList(compliance.Codes) + "."},
						"message": schema.StringAttribute{Computed: true,
							Description: "A sentence for people."},
					}},
				},
				"scan_frequency": schema.StringAttribute{Computed: true,
					Description: "The effective scan frequency ECR applies: `SCAN_ON_PUSH`, " +
						"`CONTINUOUS_SCAN` or `MANUAL` (also when no rule covers the repository " +
						"under ENHANCED, since it is then not scanned)."},
				"repository_scan_on_push": schema.BoolAttribute{Computed: true,
					Description: "The legacy repository-level scanOnPush flag."},
				"applied_scan_filters": schema.ListAttribute{Computed: true,
					ElementType: types.StringType,
					Description: "The registry filters that make ECR scan the repository."},
				"latest_image": latestImageAttribute(),
			}},
		},
		"report_json": schema.StringAttribute{
			Computed: true,
			Description: "The whole result as stable JSON with sorted repositories, for CI " +
				"artifacts. It changes only when the registry or the judgement does: " +
				"messages give absolute UTC times, never durations up to the read. A " +
				"repository's `notes` list what needs attention without failing it, such " +
				"as an expired exemption on a repository that passes anyway.",
		},
	}
}

func countAttribute(description string) schema.Int64Attribute {
	return schema.Int64Attribute{Computed: true, Description: description}
}

func codeList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("`%s`", v)
	}
	return strings.Join(quoted, ", ")
}
