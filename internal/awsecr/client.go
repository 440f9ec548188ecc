package awsecr

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

// ECR's per-call limits.
const (
	describePageSize = 1000
	batchGetMax      = 25
	describeNamesMax = 100
)

// Client reads and writes ECR scanning configuration in one Region.
type Client struct {
	api         *ecr.Client
	Region      string
	concurrency int
}

// Concurrency is the most ECR calls the client makes at once.
func (c *Client) Concurrency() int { return c.concurrency }

// RegistryScanning reads the registry scanning configuration, which also
// names the registry (the caller's account), so no STS call is needed.
func (c *Client) RegistryScanning(ctx context.Context) (*compliance.Registry, error) {
	out, err := c.api.GetRegistryScanningConfiguration(ctx,
		&ecr.GetRegistryScanningConfigurationInput{})
	if err != nil {
		return nil, wrap("GetRegistryScanningConfiguration", registryObject("", c.Region), err)
	}
	id := aws.ToString(out.RegistryId)
	if id == "" {
		// ECR names the registry in this answer; an endpoint that does not is
		// asked once more, so the registry ID is never guessed.
		reg, err := c.api.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
		if err != nil {
			return nil, wrap("DescribeRegistry", registryObject("", c.Region), err)
		}
		id = aws.ToString(reg.RegistryId)
	}
	return registryFromAPI(id, out.ScanningConfiguration), nil
}

// PutRegistryScanning replaces the whole registry scanning configuration.
func (c *Client) PutRegistryScanning(ctx context.Context, reg compliance.Registry) error {
	in := &ecr.PutRegistryScanningConfigurationInput{
		ScanType: types.ScanType(reg.ScanType),
		Rules:    make([]types.RegistryScanningRule, 0, len(reg.Rules)),
	}
	for _, r := range reg.Rules {
		rule := types.RegistryScanningRule{ScanFrequency: types.ScanFrequency(r.Frequency)}
		for _, f := range r.Filters {
			rule.RepositoryFilters = append(rule.RepositoryFilters, types.ScanningRepositoryFilter{
				Filter: aws.String(f), FilterType: types.ScanningRepositoryFilterTypeWildcard})
		}
		in.Rules = append(in.Rules, rule)
	}
	_, err := c.api.PutRegistryScanningConfiguration(ctx, in)
	return wrap("PutRegistryScanningConfiguration", registryObject(reg.ID, c.Region), err)
}

func registryFromAPI(id string, sc *types.RegistryScanningConfiguration) *compliance.Registry {
	reg := &compliance.Registry{ID: id, ScanType: compliance.ScanTypeBasic, Rules: []compliance.Rule{}}
	if sc == nil {
		return reg
	}
	if sc.ScanType != "" {
		reg.ScanType = compliance.ScanType(sc.ScanType)
	}
	for _, r := range sc.Rules {
		rule := compliance.Rule{Frequency: compliance.Frequency(r.ScanFrequency), Filters: []string{}}
		for _, f := range r.RepositoryFilters {
			rule.Filters = append(rule.Filters, aws.ToString(f.Filter))
		}
		reg.Rules = append(reg.Rules, rule)
	}
	return reg
}

func registryObject(id, region string) string {
	if id == "" {
		return "the registry in " + region
	}
	return fmt.Sprintf("registry %s in %s", id, region)
}

func repositoryObject(name, region string) string {
	return fmt.Sprintf("repository %s in %s", name, region)
}

func filterStrings(fs []types.ScanningRepositoryFilter) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, aws.ToString(f.Filter))
	}
	slices.Sort(out)
	return out
}

func chunks(names []string, size int) [][]string {
	var out [][]string
	for len(names) > size {
		out = append(out, names[:size:size])
		names = names[size:]
	}
	if len(names) > 0 {
		out = append(out, names)
	}
	return out
}

// optional is nil for an empty string, so that ECR applies its default
// (for a registry ID, the caller's registry).
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
