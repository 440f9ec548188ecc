package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

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
