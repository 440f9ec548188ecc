package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/c0221/terraform-provider-c0221/internal/awsecr"
	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

// maxNamedInDiagnostic is how many failing repositories an error names.
const maxNamedInDiagnostic = 20

var (
	_ datasource.DataSource                   = (*repositoryComplianceDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*repositoryComplianceDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*repositoryComplianceDataSource)(nil)
)

func newRepositoryComplianceDataSource() datasource.DataSource {
	return &repositoryComplianceDataSource{}
}

type repositoryComplianceDataSource struct {
	session *awsecr.Session
}

func (d *repositoryComplianceDataSource) Metadata(_ context.Context,
	req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_repository_compliance"
}

func (d *repositoryComplianceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest,
	resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Reads the registry's live ECR scanning state and judges each selected " +
			"repository against control C-0221 (CIS Amazon EKS Benchmark 5.1.1): images " +
			"are scanned for vulnerabilities. With `on_failure = \"error\"` (the default) a " +
			"non-compliant result fails the plan, naming the repositories and the reasons.",
		Attributes: complianceArguments(),
		Blocks: map[string]schema.Block{
			"exemption":           exemptionBlock(),
			"third_party_scanner": thirdPartyBlock(),
			"image_findings":      imageFindingsBlock(),
		},
	}
	for name, attr := range complianceComputed() {
		resp.Schema.Attributes[name] = attr
	}
}

func (d *repositoryComplianceDataSource) Configure(_ context.Context,
	req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.session = sessionFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *repositoryComplianceDataSource) ValidateConfig(ctx context.Context,
	req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m repositoryComplianceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Policy.ValueString() == string(compliance.PolicyKubescape) &&
		m.MinimumScanFrequency.ValueString() == string(compliance.FrequencyContinuous) {
		resp.Diagnostics.AddAttributeError(path.Root("minimum_scan_frequency"),
			"Continuous scanning cannot be required under the kubescape policy",
			"The kubescape policy reads only the repository's scanOnPush flag, which never "+
				"means continuous scanning. Use policy = \"effective\" to require "+
				"CONTINUOUS_SCAN.")
	}
}

func (d *repositoryComplianceDataSource) Read(ctx context.Context, req datasource.ReadRequest,
	resp *datasource.ReadResponse) {
	var m repositoryComplianceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.setDefaults()
	opts, diags := m.options(ctx)
	resp.Diagnostics.Append(diags...)
	sel, diags := m.selection(ctx)
	sel.Images = m.ImageFindings.query()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	client, err := d.session.Client(ctx, m.Region.ValueString())
	if err != nil {
		addClientError(&resp.Diagnostics, err)
		return
	}
	start := time.Now()
	obs, err := client.Observe(ctx, sel)
	var foreign *awsecr.ForeignRegistryError
	if errors.As(err, &foreign) {
		addForeignRegistryError(&resp.Diagnostics, path.Root("registry_id"), foreign.Want,
			foreign.Caller)
		return
	}
	if err != nil {
		addCallError(&resp.Diagnostics, "Cannot read the ECR scanning state", err)
		return
	}

	opts.Now = time.Now()
	verdicts := make([]compliance.Verdict, 0, len(obs.Repositories))
	var disagreements []string
	for _, o := range obs.Repositories {
		v := compliance.Judge(obs.Registry, o, opts)
		if v.Disagreement != "" {
			disagreements = append(disagreements, v.Disagreement)
		}
		verdicts = append(verdicts, v)
	}
	if len(disagreements) > 0 {
		// One warning, not one per repository: a large registry can have many.
		slices.Sort(disagreements)
		shown := disagreements[:min(len(disagreements), maxNamedInDiagnostic)]
		more := ""
		if len(disagreements) > len(shown) {
			more = fmt.Sprintf("\n  ... and %d more", len(disagreements)-len(shown))
		}
		resp.Diagnostics.AddWarning(fmt.Sprintf(
			"ECR's scan frequency differs from the registry rules for %d repositories",
			len(disagreements)),
			"  - "+strings.Join(shown, "\n  - ")+more+"\n\nThe provider judges ECR's own "+
				"answer. ECR does not document every case; please report it if the rules "+
				"look wrong.")
	}
	report := compliance.NewReport(obs.Registry, client.Region, opts.Policy, verdicts,
		m.ReportDetail.ValueString())
	tflog.Info(ctx, "judged ECR repositories", map[string]any{
		"region": client.Region, "registry_id": report.RegistryID,
		"repositories": report.Summary.Total, "failing": len(report.NoncompliantNames),
		"describe_repositories_calls": obs.Calls.DescribeRepositories,
		"batch_get_calls":             obs.Calls.BatchGetScanning,
		"describe_images_calls":       obs.Calls.DescribeImages,
		"batch_get_image_calls":       obs.Calls.BatchGetImage,
		"scan_findings_calls":         obs.Calls.DescribeImageScanFindings,
		"duration_ms":                 time.Since(start).Milliseconds(),
	})
	if len(obs.Vanished) > 0 {
		resp.Diagnostics.AddWarning("Repositories deleted while reading",
			fmt.Sprintf("These repositories were deleted after they were listed and are not "+
				"judged: %s.", strings.Join(obs.Vanished, ", ")))
	}

	addImageWarnings(&resp.Diagnostics, verdicts)
	addNoteWarnings(&resp.Diagnostics, verdicts)
	resp.Diagnostics.Append(m.setReport(ctx, report)...)
	m.ID = types.StringValue(m.stableID(ctx, opts, report.Region, report.RegistryID))
	if !report.Compliant {
		summary := report.FailureSummary()
		detail := report.FailureDetail(maxNamedInDiagnostic, opts)
		switch m.OnFailure.ValueString() {
		case compliance.OnFailureError:
			resp.Diagnostics.AddError(summary, detail)
			return
		case compliance.OnFailureWarning:
			resp.Diagnostics.AddWarning(summary, detail)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// addNoteWarnings reports the notes of repositories that pass anyway, such
// as an exemption that expired on a repository a third-party scanner covers.
func addNoteWarnings(diags *diag.Diagnostics, verdicts []compliance.Verdict) {
	var notes []string
	for _, v := range verdicts {
		for _, n := range v.Notes {
			notes = append(notes, fmt.Sprintf("%s (%s): %s: %s", v.Name, v.Status, n.Code,
				n.Message))
		}
	}
	if len(notes) > 0 {
		diags.AddWarning("Exemptions have expired",
			"These repositories match an exemption block that has expired and no longer "+
				"counts; they pass without it for now. Renew the expiry or remove the "+
				"block.\n\n"+listed(notes))
	}
}

// selection reads the selection arguments.
func (m *repositoryComplianceModel) selection(ctx context.Context) (awsecr.Selection, diag.Diagnostics) {
	var diags diag.Diagnostics
	sel := awsecr.Selection{RegistryID: m.RegistryID.ValueString()}
	if !m.RepositoryNames.IsNull() {
		sel.Names = []string{}
		diags.Append(m.RepositoryNames.ElementsAs(ctx, &sel.Names, false)...)
	}
	diags.Append(m.RepositoryFilters.ElementsAs(ctx, &sel.Filters, false)...)
	diags.Append(m.ExcludeRepositoryFilters.ElementsAs(ctx, &sel.Exclude, false)...)
	return sel, diags
}
