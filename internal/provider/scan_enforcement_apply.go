package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/c0221/terraform-provider-c0221/internal/awsecr"
	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

// apply creates or updates the enforcement. It writes the state itself,
// also when it fails halfway, so that what it changed is never lost.
func (r *scanEnforcementResource) apply(ctx context.Context, plan, config scanEnforcementModel,
	prior *scanEnforcementModel, st *tfsdk.State, diags *diag.Diagnostics) {
	start := time.Now()
	client, live, release := r.openRegistry(ctx, plan.Region.ValueString(),
		plan.RegistryID.ValueString(), "Cannot read the registry scanning configuration", true,
		diags)
	defer release()
	if client == nil {
		return
	}
	plan.setLocation(client.Region, live.ID)
	if plan.PreviousConfiguration.IsUnknown() || plan.PreviousConfiguration.IsNull() {
		var d diag.Diagnostics
		plan.PreviousConfiguration, d = registryValue(ctx, *live)
		diags.Append(d...)
	}

	fields := map[string]any{"region": client.Region, "registry_id": live.ID,
		"mode": plan.Mode.ValueString(), "update": prior != nil}
	if plan.Mode.ValueString() == compliance.ModeRepository {
		if r.applyRepository(ctx, client, &plan, prior, *live, fields, diags) {
			diags.Append(st.Set(ctx, &plan)...)
		}
	} else if r.applyRegistry(ctx, client, &plan, config, prior, *live, fields, diags) {
		diags.Append(st.Set(ctx, &plan)...)
	}
	fields["duration_ms"] = time.Since(start).Milliseconds()
	if !diags.HasError() {
		tflog.Info(ctx, "enforced scanning", fields)
	}
}

// applyRegistry merges the filters into the registry configuration with one
// Put. It reports whether the plan is ready to be saved as state.
func (r *scanEnforcementResource) applyRegistry(ctx context.Context, client *awsecr.Client,
	plan *scanEnforcementModel, config scanEnforcementModel, prior *scanEnforcementModel,
	live compliance.Registry, fields map[string]any, diags *diag.Diagnostics) bool {
	want, d := plan.desired(ctx, config.ScanType)
	diags.Append(d...)
	owned := compliance.Owned{}
	if prior != nil {
		owned, d = prior.owned(ctx)
		diags.Append(d...)
	}
	if diags.HasError() {
		return false
	}

	object := fmt.Sprintf("registry %s in %s", live.ID, client.Region)
	next, nextOwned, err := compliance.Plan(live, owned, want)
	if err != nil {
		// The registry changed since the plan checked the same limits.
		diags.AddError("Cannot enforce scanning on "+object, err.Error()+
			fmt.Sprintf(".\n\nThe registry now has %s; it changed since the plan. Run "+
				"terraform plan again.", live.Summary()))
		return false
	}
	if !next.Equal(live) {
		if err := client.PutRegistryScanning(ctx, next); err != nil {
			addCallError(diags, "Cannot enforce scanning on "+object, err)
			return false
		}
	}
	fields["scan_type"] = next.ScanType
	fields["added_filters"] = len(nextOwned.Filters)
	fields["wrote"] = !next.Equal(live)

	plan.ScanType = types.StringValue(string(next.ScanType))
	plan.setOwned(nextOwned)
	plan.ChangedRepositoryNames = stringSet(nil)
	if plan.CoveredRepositoryNames.IsUnknown() {
		// The configuration is written: on failure save it anyway, with the
		// error saying what is missing.
		covered, _ := coveredByFilters(ctx, client, live.ID, want.Filters, diags)
		plan.CoveredRepositoryNames = stringList(covered)
	}
	return true
}

// applyRepository turns the flag on for each selected repository whose flag
// is off, and off again for repositories it turned on and no longer
// selects. Each change is recorded as it succeeds; it reports whether the
// plan holds what was done and is to be saved, also after a failure.
func (r *scanEnforcementResource) applyRepository(ctx context.Context, client *awsecr.Client,
	plan *scanEnforcementModel, prior *scanEnforcementModel, live compliance.Registry,
	fields map[string]any, diags *diag.Diagnostics) bool {
	registryID := plan.RegistryID.ValueString()
	names, d := plan.names(ctx)
	diags.Append(d...)
	filters, d := setStrings(ctx, plan.RepositoryFilters)
	diags.Append(d...)
	changedBefore := []string{}
	if prior != nil {
		changedBefore, d = setStrings(ctx, prior.ChangedRepositoryNames)
		diags.Append(d...)
	}
	if diags.HasError() {
		return false
	}

	flags, err := repositoryFlags(ctx, client, registryID, names, changedBefore)
	if err != nil {
		addCallError(diags, "Cannot list the repositories to cover in "+client.Region, err)
		return false
	}
	var target []string
	if plan.CoveredRepositoryNames.IsUnknown() {
		target = compliance.SelectRepositories(sortedKeys(flags), names, filters)
		if names != nil {
			target = names
		}
	} else {
		diags.Append(plan.CoveredRepositoryNames.ElementsAs(ctx, &target, false)...)
	}

	changes := compliance.PlanFlags(target, changedBefore, flags)
	changed := []string{}
	for _, n := range changedBefore {
		if _, exists := flags[n]; exists && (slices.Contains(target, n) ||
			slices.Contains(changes.TurnOff, n)) {
			changed = append(changed, n)
		}
	}
	plan.ScanType = types.StringValue(string(live.ScanType))
	plan.AddedFilters = stringSet(nil)
	plan.ScanTypeChangedFrom = types.StringNull()

	record := func() {
		covered := flaggedOn(target, flags)
		plan.CoveredRepositoryNames = stringList(covered)
		plan.ChangedRepositoryNames = stringSet(changed)
		fields["covered_repositories"] = len(covered)
		fields["changed_repositories"] = len(changed)
	}

	var turnedOn []string
	for _, n := range changes.TurnOn {
		if err := client.SetScanOnPush(ctx, registryID, n, true); err != nil {
			addCallError(diags, fmt.Sprintf("Cannot turn on scan on push for repository %s "+
				"in %s", n, client.Region), err)
			addPartialWarning(diags, turnedOn)
			record()
			return true
		}
		flags[n] = true
		turnedOn = append(turnedOn, n)
		changed = compliance.AppendMissing(changed, n)
	}
	for _, n := range changes.TurnOff {
		if err := client.SetScanOnPush(ctx, registryID, n, false); err != nil {
			addCallError(diags, fmt.Sprintf("Cannot turn off scan on push for repository %s "+
				"in %s, which this resource no longer selects", n, client.Region), err)
			record()
			return true
		}
		flags[n] = false
		changed = slices.DeleteFunc(changed, func(c string) bool { return c == n })
	}
	record()
	fields["turned_on"], fields["turned_off"] = len(turnedOn), len(changes.TurnOff)

	if missing := missingNames(target, flags); len(missing) > 0 {
		diags.AddError("Cannot turn on scan on push: repositories not found",
			fmt.Sprintf("These repositories do not exist in %s: %s. Create them first, or "+
				"remove them from repository_names; if they were deleted since the plan, "+
				"run terraform plan again.", client.Region, strings.Join(missing, ", ")))
	}
	return true
}

func addPartialWarning(diags *diag.Diagnostics, turnedOn []string) {
	if len(turnedOn) == 0 {
		return
	}
	diags.AddWarning("Scan enforcement applied in part",
		fmt.Sprintf("Scan on push was turned on for %s before the failure. The state "+
			"records them, so the next apply continues from there and destroy turns them "+
			"off again.", strings.Join(turnedOn, ", ")))
}

// restoreRegistry removes what the resource added, with one Put.
func (r *scanEnforcementResource) restoreRegistry(ctx context.Context, client *awsecr.Client,
	state scanEnforcementModel) diag.Diagnostics {
	owned, diags := state.owned(ctx)
	if diags.HasError() {
		return diags
	}
	defer lockRegistry(client.Region)()
	live, err := client.RegistryScanning(ctx)
	if err != nil {
		addCallError(&diags, "Cannot read the registry scanning configuration in "+
			client.Region, err)
		return diags
	}

	next, notes := compliance.Restore(*live, owned)
	for _, note := range notes {
		diags.AddWarning("Registry scanning configuration partly kept on destroy", note)
	}
	if next.Equal(*live) {
		return diags
	}
	if err := client.PutRegistryScanning(ctx, next); err != nil {
		addCallError(&diags, fmt.Sprintf("Cannot restore the scanning configuration of "+
			"registry %s in %s", live.ID, client.Region), err)
	}
	return diags
}

// restoreRepository turns off the flags the resource turned on that are
// still on. On failure state keeps only the ones still to turn off.
func (r *scanEnforcementResource) restoreRepository(ctx context.Context, client *awsecr.Client,
	state *scanEnforcementModel) (int, diag.Diagnostics) {
	changed, diags := setStrings(ctx, state.ChangedRepositoryNames)
	if diags.HasError() || len(changed) == 0 {
		return 0, diags
	}
	registryID := state.RegistryID.ValueString()
	flags, err := repositoryFlags(ctx, client, registryID, changed, nil)
	if err != nil {
		addCallError(&diags, "Cannot read the repositories' scanning flags in "+client.Region,
			err)
		return 0, diags
	}

	off := compliance.RestoreFlags(changed, flags)
	for i, n := range off {
		err := client.SetScanOnPush(ctx, registryID, n, false)
		if errors.Is(err, awsecr.ErrNotFound) {
			continue
		}
		if err != nil {
			addCallError(&diags, fmt.Sprintf("Cannot turn off scan on push for repository %s "+
				"in %s", n, client.Region), err)
			state.ChangedRepositoryNames = stringSet(off[i:])
			return i, diags
		}
	}
	return len(off), diags
}
