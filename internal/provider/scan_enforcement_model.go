package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

type scanEnforcementModel struct {
	ID                     types.String `tfsdk:"id"`
	Region                 types.String `tfsdk:"region"`
	RegistryID             types.String `tfsdk:"registry_id"`
	Mode                   types.String `tfsdk:"mode"`
	ScanType               types.String `tfsdk:"scan_type"`
	ScanFrequency          types.String `tfsdk:"scan_frequency"`
	RepositoryFilters      types.Set    `tfsdk:"repository_filters"`
	RepositoryNames        types.Set    `tfsdk:"repository_names"`
	OnDestroy              types.String `tfsdk:"on_destroy"`
	CoveredRepositoryNames types.List   `tfsdk:"covered_repository_names"`
	PreviousConfiguration  types.Object `tfsdk:"previous_configuration"`
	AddedFilters           types.Set    `tfsdk:"added_filters"`
	ScanTypeChangedFrom    types.String `tfsdk:"scan_type_changed_from"`
	ChangedRepositoryNames types.Set    `tfsdk:"changed_repository_names"`
}

// previousConfigurationAttrTypes is the shape of previous_configuration.
var previousConfigurationAttrTypes = map[string]attr.Type{
	"scan_type":      types.StringType,
	"registry_rules": types.ListType{ElemType: ruleType},
}

func scanEnforcementSchema() schema.Schema {
	return schema.Schema{
		Description: "Switches ECR image scanning on and keeps it on, so that control " +
			"C-0221 (CIS Amazon EKS Benchmark 5.1.1) passes. In `registry` mode it merges " +
			"its filters into the registry scanning rule of its frequency, keeping every " +
			"rule and filter it does not own; in `repository` mode it sets the legacy " +
			"scanOnPush flag of each selected repository. Destroy puts back only what it " +
			"changed. The registry scanning configuration is one per registry and Region; " +
			"several resources may share it, each owning only the filters it added.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "`REGISTRY_ID/REGION`, the form `terraform import` takes.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"region": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "AWS Region to enforce in. Defaults to the provider's Region. " +
					"Changing it replaces the resource.",
				Validators: []validator.String{regionValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace()},
			},
			"registry_id": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "Registry (AWS account ID) to enforce in. Defaults to the " +
					"caller's; ECR changes scanning configuration only for the caller's own " +
					"registry, so a different value is an error. Changing it replaces the " +
					"resource.",
				Validators: []validator.String{stringvalidator.RegexMatches(accountIDPattern,
					"must be a 12-digit AWS account ID")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace()},
			},
			"mode": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: enumDescription("How scanning is switched on. `registry`: a "+
					"registry scanning rule covers the filters, which also covers repositories "+
					"created later. `repository`: the legacy repository flag "+
					"(PutImageScanningConfiguration, which AWS deprecates) is set per "+
					"repository. Changing it replaces the resource.",
					compliance.Modes, compliance.ModeRegistry),
				Default:       stringdefault.StaticString(compliance.ModeRegistry),
				Validators:    []validator.String{stringvalidator.OneOf(compliance.Modes...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"scan_type": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "The registry's scan type, `BASIC` or `ENHANCED` (Amazon " +
					"Inspector, which bills separately). Unset keeps the registry's current " +
					"type and never downgrades it; the computed value is the live type. " +
					"Only `registry` mode sets it; `repository` mode shows the live type.",
				Validators:    []validator.String{stringvalidator.OneOf(compliance.ScanTypes...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"scan_frequency": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: enumDescription("The frequency of the rule the filters go into. "+
					"`CONTINUOUS_SCAN` needs `ENHANCED` scanning, and `repository` mode "+
					"scans only on push.", compliance.RuleFrequencies,
					string(compliance.FrequencyScanOnPush)),
				Default: stringdefault.StaticString(string(compliance.FrequencyScanOnPush)),
				Validators: []validator.String{
					stringvalidator.OneOf(compliance.RuleFrequencies...)},
			},
			"repository_filters": schema.SetAttribute{
				ElementType: types.StringType, Optional: true, Computed: true,
				Description: "ECR wildcard filters the rule covers (or, in `repository` mode, " +
					"that select the repositories): a filter without `*` matches every name " +
					"that contains it, a filter with `*` must match the whole name. ECR " +
					"allows at most 100 filters in a rule. Defaults to `[\"*\"]`. In " +
					"`repository` mode it is not used when `repository_names` is set.",
				Default: setdefault.StaticValue(types.SetValueMust(types.StringType,
					[]attr.Value{types.StringValue("*")})),
				Validators: []validator.Set{setvalidator.SizeAtLeast(1),
					setvalidator.NoNullValues(), setvalidator.ValueStringsAre(filterValidator())},
			},
			"repository_names": schema.SetAttribute{
				ElementType: types.StringType, Optional: true,
				Description: "`repository` mode only: exact names of the repositories whose " +
					"flag to set, instead of `repository_filters`.",
				Validators: []validator.Set{setvalidator.SizeAtLeast(1),
					setvalidator.NoNullValues(),
					setvalidator.ValueStringsAre(repositoryNameValidator()),
					setvalidator.ConflictsWith(path.MatchRoot("repository_filters"))},
			},
			"on_destroy": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: enumDescription("What destroy does. `restore` puts back what "+
					"this resource changed, as it was before create: it removes only the "+
					"filters it added, restores the scan type only if it changed it and no "+
					"remaining rule needs it, and turns off only the flags it turned on; "+
					"changes others made since are kept, and nothing it did not add is "+
					"removed. `retain` leaves scanning on.",
					compliance.OnDestroyValues, compliance.OnDestroyRestore),
				Default: stringdefault.StaticString(compliance.OnDestroyRestore),
				Validators: []validator.String{
					stringvalidator.OneOf(compliance.OnDestroyValues...)},
			},
			"covered_repository_names": schema.ListAttribute{
				ElementType: types.StringType, Computed: true,
				Description: "Sorted names of the repositories this resource covers, known " +
					"at plan time from the live registry so that a reviewer sees which " +
					"repositories the apply will cover. A repository created later that the " +
					"filters match appears here; in `repository` mode it shows as a change " +
					"until an apply sets its flag.",
			},
			"previous_configuration": schema.SingleNestedAttribute{
				Computed: true,
				Description: "The registry scanning configuration as it was before create " +
					"(or at import).",
				PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"scan_type": schema.StringAttribute{Computed: true,
						Description: "`BASIC` or `ENHANCED`."},
					"registry_rules": schema.ListNestedAttribute{
						Computed:    true,
						Description: "The rules, in ECR's order.",
						NestedObject: schema.NestedAttributeObject{
							Attributes: map[string]schema.Attribute{
								"scan_frequency": schema.StringAttribute{Computed: true,
									Description: "`SCAN_ON_PUSH` or `CONTINUOUS_SCAN`."},
								"repository_filters": schema.ListAttribute{Computed: true,
									ElementType: types.StringType,
									Description: "The rule's ECR wildcard filters."},
							},
						},
					},
				},
			},
			"added_filters": schema.SetAttribute{
				ElementType: types.StringType, Computed: true,
				Description: "The filters this resource added to the rule of " +
					"`scan_frequency` (filters that were already there are not listed): " +
					"what `restore` removes.",
			},
			"scan_type_changed_from": schema.StringAttribute{
				Computed: true,
				Description: "The scan type before this resource changed it, or null when " +
					"it did not: what `restore` puts back.",
			},
			"changed_repository_names": schema.SetAttribute{
				ElementType: types.StringType, Computed: true,
				Description: "`repository` mode: the repositories whose flag this resource " +
					"turned on: the ones `restore` turns off.",
			},
		},
	}
}

// owned is what the state records this resource changed.
func (m *scanEnforcementModel) owned(ctx context.Context) (compliance.Owned, diag.Diagnostics) {
	filters, diags := setStrings(ctx, m.AddedFilters)
	return compliance.Owned{
		Frequency:    compliance.Frequency(m.ScanFrequency.ValueString()),
		Filters:      filters,
		ScanTypeFrom: compliance.ScanType(m.ScanTypeChangedFrom.ValueString()),
	}, diags
}

func (m *scanEnforcementModel) setOwned(o compliance.Owned) {
	m.AddedFilters = stringSet(o.Filters)
	m.ScanTypeChangedFrom = types.StringNull()
	if o.ScanTypeFrom != "" {
		m.ScanTypeChangedFrom = types.StringValue(string(o.ScanTypeFrom))
	}
}

// desired reads the registry-mode arguments; scanType is the configured
// value (null keeps the registry's type).
func (m *scanEnforcementModel) desired(ctx context.Context,
	scanType types.String) (compliance.Desired, diag.Diagnostics) {
	filters, diags := setStrings(ctx, m.RepositoryFilters)
	return compliance.Desired{
		ScanType:  compliance.ScanType(scanType.ValueString()),
		Frequency: compliance.Frequency(m.ScanFrequency.ValueString()),
		Filters:   filters,
	}, diags
}

// names returns repository_names, or nil when it is unset.
func (m *scanEnforcementModel) names(ctx context.Context) ([]string, diag.Diagnostics) {
	if m.RepositoryNames.IsNull() {
		return nil, nil
	}
	return setStrings(ctx, m.RepositoryNames)
}

func registryValue(ctx context.Context, reg compliance.Registry) (types.Object,
	diag.Diagnostics) {
	return types.ObjectValueFrom(ctx, previousConfigurationAttrTypes, struct {
		ScanType string      `tfsdk:"scan_type"`
		Rules    []ruleValue `tfsdk:"registry_rules"`
	}{string(reg.ScanType), ruleValues(reg.Rules)})
}

func setStrings(ctx context.Context, s types.Set) ([]string, diag.Diagnostics) {
	out := []string{}
	if s.IsNull() || s.IsUnknown() {
		return out, nil
	}
	diags := s.ElementsAs(ctx, &out, false)
	slices.Sort(out)
	return out, diags
}
