package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

type repositoryComplianceModel struct {
	ID                          types.String        `tfsdk:"id"`
	Region                      types.String        `tfsdk:"region"`
	RegistryID                  types.String        `tfsdk:"registry_id"`
	RepositoryNames             types.Set           `tfsdk:"repository_names"`
	RepositoryFilters           types.List          `tfsdk:"repository_filters"`
	ExcludeRepositoryFilters    types.List          `tfsdk:"exclude_repository_filters"`
	Policy                      types.String        `tfsdk:"policy"`
	MinimumScanFrequency        types.String        `tfsdk:"minimum_scan_frequency"`
	RequireEnhancedScanning     types.Bool          `tfsdk:"require_enhanced_scanning"`
	Exemptions                  []exemptionModel    `tfsdk:"exemption"`
	ThirdPartyScanners          []thirdPartyModel   `tfsdk:"third_party_scanner"`
	ImageFindings               *imageFindingsModel `tfsdk:"image_findings"`
	OnFailure                   types.String        `tfsdk:"on_failure"`
	ReportDetail                types.String        `tfsdk:"report_detail"`
	ScanType                    types.String        `tfsdk:"scan_type"`
	RegistryRules               types.List          `tfsdk:"registry_rules"`
	Compliant                   types.Bool          `tfsdk:"compliant"`
	Summary                     types.Object        `tfsdk:"summary"`
	NoncompliantRepositoryNames types.List          `tfsdk:"noncompliant_repository_names"`
	Repositories                types.List          `tfsdk:"repositories"`
	ReportJSON                  types.String        `tfsdk:"report_json"`
}

type exemptionModel struct {
	Repository types.String `tfsdk:"repository"`
	Reason     types.String `tfsdk:"reason"`
	Expires    types.String `tfsdk:"expires"`
}

type thirdPartyModel struct {
	Name              types.String `tfsdk:"name"`
	RepositoryFilters types.List   `tfsdk:"repository_filters"`
}

// Output shapes, reflected into object values by the framework.
type ruleValue struct {
	ScanFrequency     string   `tfsdk:"scan_frequency"`
	RepositoryFilters []string `tfsdk:"repository_filters"`
}

// ruleValues renders registry rules for registry_rules and previous_configuration.
func ruleValues(rules []compliance.Rule) []ruleValue {
	out := make([]ruleValue, 0, len(rules))
	for _, r := range rules {
		out = append(out, ruleValue{string(r.Frequency), r.Filters})
	}
	return out
}

type reasonValue struct {
	Code    string `tfsdk:"code"`
	Message string `tfsdk:"message"`
}

type repositoryValue struct {
	Name                 string        `tfsdk:"name"`
	ARN                  string        `tfsdk:"arn"`
	URI                  string        `tfsdk:"uri"`
	Status               string        `tfsdk:"status"`
	Reasons              []reasonValue `tfsdk:"reasons"`
	ScanFrequency        string        `tfsdk:"scan_frequency"`
	RepositoryScanOnPush bool          `tfsdk:"repository_scan_on_push"`
	AppliedScanFilters   []string      `tfsdk:"applied_scan_filters"`
	LatestImage          types.Object  `tfsdk:"latest_image"`
}

var (
	ruleType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"scan_frequency":     types.StringType,
		"repository_filters": types.ListType{ElemType: types.StringType},
	}}
	reasonType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"code": types.StringType, "message": types.StringType,
	}}
	summaryAttrTypes = map[string]attr.Type{
		"total": types.Int64Type, "compliant": types.Int64Type, "noncompliant": types.Int64Type,
		"exempt": types.Int64Type, "third_party": types.Int64Type, "not_found": types.Int64Type,
	}
	repositoryType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"name": types.StringType, "arn": types.StringType, "uri": types.StringType,
		"status":                  types.StringType,
		"reasons":                 types.ListType{ElemType: reasonType},
		"scan_frequency":          types.StringType,
		"repository_scan_on_push": types.BoolType,
		"applied_scan_filters":    types.ListType{ElemType: types.StringType},
		"latest_image":            types.ObjectType{AttrTypes: latestImageAttrTypes},
	}}
)

// options turns the user's arguments into the compliance options. The
// arguments were validated at plan time, so parse errors cannot occur here.
func (m *repositoryComplianceModel) options(ctx context.Context) (compliance.Options, diag.Diagnostics) {
	var diags diag.Diagnostics
	opts := compliance.Options{
		Policy:          compliance.Policy(m.Policy.ValueString()),
		Minimum:         compliance.Frequency(m.MinimumScanFrequency.ValueString()),
		RequireEnhanced: m.RequireEnhancedScanning.ValueBool(),
	}
	for _, e := range m.Exemptions {
		ex := compliance.Exemption{Repository: e.Repository.ValueString(),
			Reason: e.Reason.ValueString()}
		if s := e.Expires.ValueString(); s != "" {
			ex.Expires, _ = compliance.ParseExpiry(s)
		}
		opts.Exemptions = append(opts.Exemptions, ex)
	}
	for _, s := range m.ThirdPartyScanners {
		scanner := compliance.ThirdPartyScanner{Name: s.Name.ValueString()}
		diags.Append(s.RepositoryFilters.ElementsAs(ctx, &scanner.Filters, false)...)
		opts.ThirdParty = append(opts.ThirdParty, scanner)
	}
	if m.ImageFindings != nil {
		opts.Findings = m.ImageFindings.options()
	}
	return opts, diags
}

// setDefaults fills the optional arguments the user left unset, so that the
// state shows the values that were applied.
func (m *repositoryComplianceModel) setDefaults() {
	if m.Policy.IsNull() {
		m.Policy = types.StringValue(string(compliance.PolicyEffective))
	}
	if m.MinimumScanFrequency.IsNull() {
		m.MinimumScanFrequency = types.StringValue(string(compliance.FrequencyScanOnPush))
	}
	if m.RequireEnhancedScanning.IsNull() {
		m.RequireEnhancedScanning = types.BoolValue(false)
	}
	if m.OnFailure.IsNull() {
		m.OnFailure = types.StringValue(compliance.OnFailureError)
	}
	if m.ReportDetail.IsNull() {
		m.ReportDetail = types.StringValue(compliance.DetailAll)
	}
	if m.RepositoryFilters.IsNull() {
		m.RepositoryFilters = stringList([]string{"*"})
	}
	if m.ExcludeRepositoryFilters.IsNull() {
		m.ExcludeRepositoryFilters = stringList([]string{})
	}
	if m.ImageFindings != nil {
		m.ImageFindings.setDefaults()
	}
}

// setReport writes the computed attributes from the report.
func (m *repositoryComplianceModel) setReport(ctx context.Context, r compliance.Report) diag.Diagnostics {
	var diags diag.Diagnostics
	m.Region = types.StringValue(r.Region)
	m.RegistryID = types.StringValue(r.RegistryID)
	m.ScanType = types.StringValue(string(r.ScanType))
	m.Compliant = types.BoolValue(r.Compliant)
	m.NoncompliantRepositoryNames = stringList(r.NoncompliantNames)
	m.ReportJSON = types.StringValue(r.JSON())

	var d diag.Diagnostics
	m.RegistryRules, d = types.ListValueFrom(ctx, ruleType, ruleValues(r.Rules))
	diags.Append(d...)

	s := r.Summary
	m.Summary, d = types.ObjectValue(summaryAttrTypes, map[string]attr.Value{
		"total": types.Int64Value(int64(s.Total)), "compliant": types.Int64Value(int64(s.Compliant)),
		"noncompliant": types.Int64Value(int64(s.Noncompliant)),
		"exempt":       types.Int64Value(int64(s.Exempt)),
		"third_party":  types.Int64Value(int64(s.ThirdParty)),
		"not_found":    types.Int64Value(int64(s.NotFound)),
	})
	diags.Append(d...)

	repos := make([]repositoryValue, 0, len(r.Repositories))
	for _, v := range r.Repositories {
		rv := repositoryValue{Name: v.Name, ARN: v.ARN, URI: v.URI, Status: string(v.Status),
			Reasons: make([]reasonValue, 0, len(v.Reasons)), ScanFrequency: string(v.Frequency),
			RepositoryScanOnPush: v.ScanOnPush, AppliedScanFilters: v.AppliedFilters}
		for _, reason := range v.Reasons {
			rv.Reasons = append(rv.Reasons, reasonValue{string(reason.Code), reason.Message})
		}
		rv.LatestImage, d = latestImageObject(ctx, v.LatestImage)
		diags.Append(d...)
		repos = append(repos, rv)
	}
	m.Repositories, d = types.ListValueFrom(ctx, repositoryType, repos)
	diags.Append(d...)
	return diags
}

// stableID hashes the inputs that decide the result, so the same
// configuration against the same registry keeps the same id. opts are the
// model's options.
func (m *repositoryComplianceModel) stableID(ctx context.Context, opts compliance.Options,
	region, registryID string) string {
	var names, filters, exclude []string
	if !m.RepositoryNames.IsNull() {
		m.RepositoryNames.ElementsAs(ctx, &names, false)
		slices.Sort(names)
	}
	m.RepositoryFilters.ElementsAs(ctx, &filters, false)
	m.ExcludeRepositoryFilters.ElementsAs(ctx, &exclude, false)
	b, _ := json.Marshal([]any{region, registryID, m.RepositoryNames.IsNull(), names, filters,
		exclude, opts.Policy, opts.Minimum, opts.RequireEnhanced, opts.Exemptions,
		opts.ThirdParty, m.ReportDetail.ValueString(), opts.Findings})
	sum := sha256.Sum256(b)
	return registryID + "/" + region + "/" + hex.EncodeToString(sum[:8])
}

func stringList(values []string) types.List {
	return types.ListValueMust(types.StringType, stringElements(values))
}

func stringSet(values []string) types.Set {
	return types.SetValueMust(types.StringType, stringElements(values))
}

func stringElements(values []string) []attr.Value {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return elems
}
