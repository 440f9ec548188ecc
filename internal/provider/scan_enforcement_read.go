package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/c0221/terraform-provider-c0221/internal/awsecr"
	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

// readRegistry reports which of the resource's filters the rule really
// holds and the live scan type.
func (r *scanEnforcementResource) readRegistry(ctx context.Context, client *awsecr.Client,
	state *scanEnforcementModel, live compliance.Registry) diag.Diagnostics {
	filters, diags := setStrings(ctx, state.RepositoryFilters)
	present := live.PresentFilters(compliance.Frequency(state.ScanFrequency.ValueString()),
		filters)
	state.RepositoryFilters = stringSet(present)
	state.ScanType = types.StringValue(string(live.ScanType))

	covered, _ := coveredByFilters(ctx, client, live.ID, present, &diags)
	state.CoveredRepositoryNames = stringList(covered)
	return diags
}

// readRepository reports the selected repositories whose flag is on as
// covered, so that a flag turned off, or a new repository the filters
// match, shows as a change in the next plan.
func (r *scanEnforcementResource) readRepository(ctx context.Context, client *awsecr.Client,
	state *scanEnforcementModel, live compliance.Registry) diag.Diagnostics {
	var diags diag.Diagnostics
	state.ScanType = types.StringValue(string(live.ScanType))
	names, d := state.names(ctx)
	diags.Append(d...)
	filters, d := setStrings(ctx, state.RepositoryFilters)
	diags.Append(d...)
	changed, d := setStrings(ctx, state.ChangedRepositoryNames)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}

	flags, err := repositoryFlags(ctx, client, live.ID, names, changed)
	if err != nil {
		addCallError(&diags, "Cannot read the repositories' scanning flags in "+client.Region,
			err)
		return diags
	}
	state.CoveredRepositoryNames = stringList(flaggedOn(
		compliance.SelectRepositories(sortedKeys(flags), names, filters), flags))

	if gone := missingNames(changed, flags); len(gone) > 0 {
		diags.AddWarning("Repositories deleted outside Terraform",
			fmt.Sprintf("These repositories, whose flag this resource turned on, no longer "+
				"exist in %s and are dropped from its state: %s.", client.Region,
				strings.Join(gone, ", ")))
		changed = slices.DeleteFunc(changed, func(n string) bool { return slices.Contains(gone, n) })
	}
	state.ChangedRepositoryNames = stringSet(changed)
	return diags
}

// adopt fills an imported state from the live configuration: registry mode,
// the rule it adopts, and nothing recorded as added, so that restore after
// an import changes nothing.
func (r *scanEnforcementResource) adopt(ctx context.Context, client *awsecr.Client,
	state *scanEnforcementModel, live compliance.Registry) diag.Diagnostics {
	// An import ID may name the rule's frequency; ImportState put it here.
	rule := live.AdoptedRule(compliance.Frequency(state.ScanFrequency.ValueString()))
	state.Mode = types.StringValue(compliance.ModeRegistry)
	state.OnDestroy = types.StringValue(compliance.OnDestroyRestore)
	state.ScanFrequency = types.StringValue(string(rule.Frequency))
	state.RepositoryFilters = stringSet(rule.Filters)
	state.RepositoryNames = types.SetNull(types.StringType)
	state.setOwned(compliance.Owned{})
	state.ChangedRepositoryNames = stringSet(nil)
	previous, diags := registryValue(ctx, live)
	state.PreviousConfiguration = previous
	tflog.Info(ctx, "adopted registry scanning configuration", map[string]any{
		"region": client.Region, "registry_id": live.ID, "scan_frequency": rule.Frequency,
		"repository_filters": len(rule.Filters),
	})
	diags.Append(r.readRegistry(ctx, client, state, live)...)
	return diags
}

// registryLocks serialises the read, merge and write of the registry
// scanning configuration per Region within this provider process: Put
// replaces the whole configuration, so two resources applied in parallel
// would otherwise lose one another's filters.
var registryLocks sync.Map

// lockRegistry locks the Region's configuration and returns the unlock.
func lockRegistry(region string) func() {
	mu, _ := registryLocks.LoadOrStore(region, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	return mu.(*sync.Mutex).Unlock
}

// repositoryFlags maps repository names to their legacy scanOnPush flag:
// the named repositories (and extra) when names is not nil, else every
// repository of the registry.
func repositoryFlags(ctx context.Context, client *awsecr.Client, registryID string,
	names, extra []string) (map[string]bool, error) {
	flags := map[string]bool{}
	if names != nil {
		want := compliance.AppendMissing(slices.Clone(names), extra...)
		found, _, err := client.DescribeRepositories(ctx, registryID, want)
		for _, repo := range found {
			flags[repo.Name] = repo.ScanOnPush
		}
		return flags, err
	}
	err := client.ListRepositories(ctx, registryID, func(page []awsecr.Repository) error {
		for _, repo := range page {
			flags[repo.Name] = repo.ScanOnPush
		}
		return nil
	})
	return flags, err
}

// coveredByFilters lists, sorted, the repositories any filter matches, and
// the flags of every repository it listed. On failure it reports the error
// and returns no repositories and nil flags.
func coveredByFilters(ctx context.Context, client *awsecr.Client, registryID string,
	filters []string, diags *diag.Diagnostics) ([]string, map[string]bool) {
	if len(filters) == 0 {
		return []string{}, map[string]bool{}
	}
	flags, err := repositoryFlags(ctx, client, registryID, nil, nil)
	if err != nil {
		addCallError(diags, "Cannot list the repositories the filters cover in "+client.Region,
			err)
		return []string{}, nil
	}
	return compliance.SelectRepositories(sortedKeys(flags), nil, filters), flags
}

// flaggedOn keeps the names whose scanOnPush flag is on.
func flaggedOn(names []string, flags map[string]bool) []string {
	out := []string{}
	for _, n := range names {
		if flags[n] {
			out = append(out, n)
		}
	}
	return out
}

func missingNames(names []string, flags map[string]bool) []string {
	var out []string
	for _, n := range names {
		if _, ok := flags[n]; !ok {
			out = append(out, n)
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	return slices.Sorted(maps.Keys(m))
}

// openRegistry opens the Region's ECR client and reads the registry scanning
// configuration, refusing a registry_id that is not the caller's. With lock,
// the Region's read-merge-write lock is held until release is called. On
// failure it adds the diagnostics and returns a nil client.
func (r *scanEnforcementResource) openRegistry(ctx context.Context, region, registryID,
	summary string, lock bool, diags *diag.Diagnostics) (*awsecr.Client, *compliance.Registry,
	func()) {
	release := func() {}
	client, err := r.session.Client(ctx, region)
	if err != nil {
		addClientError(diags, err)
		return nil, nil, release
	}
	if lock {
		release = lockRegistry(client.Region)
	}
	live, err := client.RegistryScanning(ctx)
	if err != nil {
		addCallError(diags, summary+" in "+client.Region, err)
		release()
		return nil, nil, func() {}
	}
	if registryID != "" && registryID != live.ID {
		addForeignRegistryError(diags, path.Root("registry_id"), registryID, live.ID)
		release()
		return nil, nil, func() {}
	}
	return client, live, release
}

// setLocation records where the enforcement lives.
func (m *scanEnforcementModel) setLocation(region, registryID string) {
	m.Region = types.StringValue(region)
	m.RegistryID = types.StringValue(registryID)
	m.ID = types.StringValue(enforcementID(registryID, region))
}
