package awsecr

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

// Repository is what DescribeRepositories says of a repository.
type Repository struct {
	Name       string
	ARN        string
	URI        string
	ScanOnPush bool
}

// ListRepositories calls fn with each page of the registry's repositories,
// reading every page at ECR's largest page size.
func (c *Client) ListRepositories(ctx context.Context, registryID string,
	fn func([]Repository) error) error {
	in := &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(describePageSize),
		RegistryId: optional(registryID)}
	pages := ecr.NewDescribeRepositoriesPaginator(c.api, in)
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return wrap("DescribeRepositories", registryObject(registryID, c.Region), err)
		}
		if err := fn(repositoriesFromAPI(out.Repositories)); err != nil {
			return err
		}
	}
	return nil
}

// DescribeRepositories reads the named repositories. ECR fails a whole call
// when one name is missing, so a failed chunk is retried name by name and
// the missing names are returned, not treated as errors.
func (c *Client) DescribeRepositories(ctx context.Context, registryID string,
	names []string) (found []Repository, missing []string, err error) {
	for _, chunk := range chunks(names, describeNamesMax) {
		repos, err := c.describeNames(ctx, registryID, chunk)
		if err == nil {
			found = append(found, repos...)
			continue
		}
		if !errors.Is(err, ErrRepositoryNotFound) {
			return nil, nil, err
		}
		for _, name := range chunk {
			repos, err := c.describeNames(ctx, registryID, []string{name})
			switch {
			case errors.Is(err, ErrRepositoryNotFound):
				missing = append(missing, name)
			case err != nil:
				return nil, nil, err
			default:
				found = append(found, repos...)
			}
		}
	}
	return found, missing, nil
}

func (c *Client) describeNames(ctx context.Context, registryID string,
	names []string) ([]Repository, error) {
	out, err := c.api.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{
		RepositoryNames: names, RegistryId: optional(registryID)})
	if err != nil {
		object := registryObject(registryID, c.Region)
		if len(names) == 1 {
			object = repositoryObject(names[0], c.Region)
		}
		return nil, wrap("DescribeRepositories", object, err)
	}
	return repositoriesFromAPI(out.Repositories), nil
}

// ScanningConfigurations asks ECR for the effective scanning configuration
// of up to 25 repositories. Names ECR does not know are returned in missing.
func (c *Client) ScanningConfigurations(ctx context.Context,
	names []string) (live map[string]compliance.Live, missing []string, err error) {
	if len(names) > batchGetMax {
		return nil, nil, fmt.Errorf("at most %d names a call, got %d", batchGetMax, len(names))
	}
	out, err := c.api.BatchGetRepositoryScanningConfiguration(ctx,
		&ecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: names})
	if err != nil {
		return nil, nil, wrap("BatchGetRepositoryScanningConfiguration",
			repositoriesObject(names, c.Region), err)
	}

	live = make(map[string]compliance.Live, len(out.ScanningConfigurations))
	for _, sc := range out.ScanningConfigurations {
		freq := compliance.Frequency(sc.ScanFrequency)
		if freq == "" {
			freq = compliance.FrequencyManual
		}
		live[aws.ToString(sc.RepositoryName)] = compliance.Live{
			Frequency: freq, Filters: filterStrings(sc.AppliedScanFilters)}
	}
	for _, f := range out.Failures {
		if f.FailureCode != types.ScanningConfigurationFailureCodeRepositoryNotFound {
			return nil, nil, wrap("BatchGetRepositoryScanningConfiguration",
				repositoryObject(aws.ToString(f.RepositoryName), c.Region),
				fmt.Errorf("%s: %s", f.FailureCode, aws.ToString(f.FailureReason)))
		}
		missing = append(missing, aws.ToString(f.RepositoryName))
	}
	return live, missing, nil
}

// SetScanOnPush sets the legacy repository-level scanOnPush flag.
func (c *Client) SetScanOnPush(ctx context.Context, registryID, name string, on bool) error {
	_, err := c.api.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{
		RepositoryName:             aws.String(name),
		RegistryId:                 optional(registryID),
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: on},
	})
	return wrap("PutImageScanningConfiguration", repositoryObject(name, c.Region), err)
}

// repositoriesObject names the repositories of a batch call, the first few
// by name, so that a denial points at a resource the IAM policy can name.
func repositoriesObject(names []string, region string) string {
	const shown = 3
	if len(names) == 1 {
		return repositoryObject(names[0], region)
	}
	list := strings.Join(names[:min(len(names), shown)], ", ")
	if len(names) > shown {
		list += fmt.Sprintf(" and %d more", len(names)-shown)
	}
	return fmt.Sprintf("repositories %s in %s", list, region)
}

func repositoriesFromAPI(in []types.Repository) []Repository {
	out := make([]Repository, 0, len(in))
	for _, r := range in {
		repo := Repository{
			Name: aws.ToString(r.RepositoryName),
			ARN:  aws.ToString(r.RepositoryArn),
			URI:  aws.ToString(r.RepositoryUri),
		}
		if r.ImageScanningConfiguration != nil {
			repo.ScanOnPush = r.ImageScanningConfiguration.ScanOnPush
		}
		out = append(out, repo)
	}
	return out
}
