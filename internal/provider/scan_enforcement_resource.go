package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/c0221/terraform-provider-c0221/internal/awsecr"
	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

var (
	_ resource.Resource                   = (*scanEnforcementResource)(nil)
	_ resource.ResourceWithConfigure      = (*scanEnforcementResource)(nil)
	_ resource.ResourceWithValidateConfig = (*scanEnforcementResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*scanEnforcementResource)(nil)
	_ resource.ResourceWithImportState    = (*scanEnforcementResource)(nil)
)

func newScanEnforcementResource() resource.Resource {
	return &scanEnforcementResource{}
}

type scanEnforcementResource struct {
	session *awsecr.Session
}

func (r *scanEnforcementResource) Metadata(_ context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_scan_enforcement"
}

func (r *scanEnforcementResource) Schema(_ context.Context, _ resource.SchemaRequest,
	resp *resource.SchemaResponse) {
	resp.Schema = scanEnforcementSchema()
}

func (r *scanEnforcementResource) Configure(_ context.Context, req resource.ConfigureRequest,
	resp *resource.ConfigureResponse) {
	r.session = sessionFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig rejects combinations that need no live data to refuse.
func (r *scanEnforcementResource) ValidateConfig(ctx context.Context,
	req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m scanEnforcementModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.Mode.IsUnknown() {
		return
	}

	continuous := m.ScanFrequency.ValueString() == string(compliance.FrequencyContinuous)
	if m.Mode.ValueString() == compliance.ModeRepository {
		if !m.ScanType.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("scan_type"),
				"scan_type applies only in registry mode",
				"Repository mode sets each repository's scanOnPush flag and leaves the "+
					"registry's scan type alone. Remove scan_type, or use mode = \"registry\".")
		}
		if continuous {
			resp.Diagnostics.AddAttributeError(path.Root("scan_frequency"),
				"Repository mode scans only on push",
				"The repository flag means SCAN_ON_PUSH. Continuous scanning needs a "+
					"registry rule: use mode = \"registry\" with scan_type = \"ENHANCED\".")
		}
		return
	}

	if !m.RepositoryNames.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("repository_names"),
			"repository_names applies only in repository mode",
			"A registry scanning rule selects repositories by filter, not by name. Use "+
				"repository_filters (an exact name is a filter that also matches longer "+
				"names containing it), or set mode = \"repository\".")
	}
	// Null and unknown values read as "": an unset scan_frequency is
	// SCAN_ON_PUSH, which every scan type allows, and an unset scan_type
	// keeps the registry's, which the plan checks against the live registry.
	freq := compliance.Frequency(m.ScanFrequency.ValueString())
	scanType := compliance.ScanType(m.ScanType.ValueString())
	if freq != "" && scanType != "" && !scanType.Allows(freq) {
		resp.Diagnostics.AddAttributeError(path.Root("scan_frequency"),
			"CONTINUOUS_SCAN needs ENHANCED scanning",
			"ECR scans continuously only with scan type ENHANCED (Amazon Inspector); "+
				"BASIC scanning supports SCAN_ON_PUSH. Set scan_type = \"ENHANCED\" or "+
				"scan_frequency = \"SCAN_ON_PUSH\".")
	}
}

func (r *scanEnforcementResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	var plan, config scanEnforcementModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, plan, config, nil, &resp.State, &resp.Diagnostics)
}

// Read reports what is really in place, so that the next plan shows drift:
// filters missing from the rule, another scan type, repositories of the
// selection whose flag is off.
func (r *scanEnforcementResource) Read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	var state scanEnforcementModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	start := time.Now()

	client, live, _ := r.openRegistry(ctx, state.Region.ValueString(),
		state.RegistryID.ValueString(), "Cannot read scan enforcement", false, &resp.Diagnostics)
	if client == nil {
		return
	}
	state.setLocation(client.Region, live.ID)

	switch {
	case state.Mode.IsNull():
		resp.Diagnostics.Append(r.adopt(ctx, client, &state, *live)...)
	case state.Mode.ValueString() == compliance.ModeRepository:
		resp.Diagnostics.Append(r.readRepository(ctx, client, &state, *live)...)
	default:
		resp.Diagnostics.Append(r.readRegistry(ctx, client, &state, *live)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "read scan enforcement", map[string]any{
		"region": client.Region, "registry_id": live.ID, "mode": state.Mode.ValueString(),
		"scan_type": live.ScanType, "covered_repositories": len(state.CoveredRepositoryNames.Elements()),
		"duration_ms": time.Since(start).Milliseconds(),
	})
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *scanEnforcementResource) Update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	var plan, config, prior scanEnforcementModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, plan, config, &prior, &resp.State, &resp.Diagnostics)
}

func (r *scanEnforcementResource) Delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	var state scanEnforcementModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	fields := map[string]any{"region": state.Region.ValueString(),
		"registry_id": state.RegistryID.ValueString(), "mode": state.Mode.ValueString(),
		"on_destroy": state.OnDestroy.ValueString()}
	if state.OnDestroy.ValueString() == compliance.OnDestroyRetain {
		tflog.Info(ctx, "retained scan enforcement on destroy", fields)
		return
	}
	start := time.Now()

	client, err := r.session.Client(ctx, state.Region.ValueString())
	if err != nil {
		addClientError(&resp.Diagnostics, err)
		return
	}
	if state.Mode.ValueString() == compliance.ModeRepository {
		restored, diags := r.restoreRepository(ctx, client, &state)
		resp.Diagnostics.Append(diags...)
		fields["restored_repositories"] = restored
		if resp.Diagnostics.HasError() {
			// Keep in state only the flags that are still to be turned off.
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
			return
		}
	} else {
		resp.Diagnostics.Append(r.restoreRegistry(ctx, client, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	fields["duration_ms"] = time.Since(start).Milliseconds()
	tflog.Info(ctx, "restored scanning on destroy", fields)
}

// ImportState adopts the registry configuration of REGISTRY_ID/REGION; Read
// fills in the rest from the live registry.
func (r *scanEnforcementResource) ImportState(ctx context.Context,
	req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	parts := strings.Split(req.ID, "/")
	valid := (len(parts) == 2 || len(parts) == 3) && accountIDPattern.MatchString(parts[0]) &&
		regionPattern.MatchString(parts[1]) &&
		(len(parts) == 2 || slices.Contains(compliance.RuleFrequencies, parts[2]))
	if !valid {
		resp.Diagnostics.AddError("Invalid import ID for c0221_scan_enforcement",
			fmt.Sprintf("%q is not REGISTRY_ID/REGION or REGISTRY_ID/REGION/FREQUENCY. Import "+
				"with the 12-digit registry (account) ID, the Region and, to adopt the "+
				"continuous-scanning rule, its frequency, for example:\n\n"+
				"  terraform import c0221_scan_enforcement.registry 123456789012/us-east-1\n"+
				"  terraform import c0221_scan_enforcement.continuous "+
				"123456789012/us-east-1/CONTINUOUS_SCAN", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"),
		enforcementID(parts[0], parts[1]))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("registry_id"), parts[0])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("region"), parts[1])...)
	if len(parts) == 3 {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("scan_frequency"),
			parts[2])...)
	}
}

func enforcementID(registryID, region string) string {
	return registryID + "/" + region
}
