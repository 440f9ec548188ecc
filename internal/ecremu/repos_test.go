package ecremu

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// listAll pages DescribeRepositories with the SDK paginator.
func listAll(t *testing.T, c *ecr.Client, maxResults int32) (names []string, pages int) {
	t.Helper()
	in := &ecr.DescribeRepositoriesInput{}
	if maxResults > 0 {
		in.MaxResults = aws.Int32(maxResults)
	}
	p := ecr.NewDescribeRepositoriesPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(t, err)
		limit := maxResults
		if limit == 0 {
			limit = 100
		}
		if int32(len(out.Repositories)) > limit {
			t.Fatalf("page of %d exceeds maxResults %d", len(out.Repositories), limit)
		}
		for _, r := range out.Repositories {
			names = append(names, *r.RepositoryName)
		}
		pages++
	}
	return names, pages
}

func TestDescribeRepositoriesPaging(t *testing.T) {
	s := startServer(t)
	c := newClient(s, "us-east-1", 1)
	created, err := s.SeedSynthetic("us-east-1", 2500, SyntheticConfig{})
	must(t, err)
	for _, tc := range []struct {
		max   int32
		pages int
	}{{0, 25}, {7, 358}, {1000, 3}, {1, 2500}} {
		names, pages := listAll(t, c, tc.max)
		if pages != tc.pages || !slices.Equal(names, created) {
			t.Fatalf("maxResults %d: %d names in %d pages, want %d in %d", tc.max, len(names), pages, len(created), tc.pages)
		}
	}
	for _, bad := range []int32{0, 1001, -5} {
		_, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(bad)})
		wantCode(t, err, codeInvalidParameter)
	}
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{NextToken: aws.String("not-a-token")})
	wantCode(t, err, codeInvalidParameter)
}

func TestDescribeRepositoriesTenThousand(t *testing.T) {
	s := startServer(t)
	c := newClient(s, "us-east-1", 1)
	start := time.Now()
	created, err := s.SeedSynthetic("us-east-1", 10000, SyntheticConfig{})
	must(t, err)
	seeded := time.Since(start)
	names, pages := listAll(t, c, 1000)
	if pages != 10 || len(names) != 10000 || !slices.Equal(names, created) {
		t.Fatalf("%d names in %d pages", len(names), pages)
	}
	t.Logf("seeded 10,000 repositories in %s, listed them in %s", seeded, time.Since(start)-seeded)
}

func TestPagingSurvivesConcurrentChanges(t *testing.T) {
	s := startServer(t)
	c := newClient(s, "us-east-1", 1)
	for i := 0; i < 10; i++ {
		must(t, s.CreateRepository("us-east-1", fmt.Sprintf("repo-%02d", i), false))
	}
	first, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(4)})
	must(t, err)
	if len(first.Repositories) != 4 || first.NextToken == nil {
		t.Fatalf("first page %d token %v", len(first.Repositories), first.NextToken)
	}
	// Delete the last name served and one not yet served; add one before
	// and one after the cursor.
	must(t, s.DeleteRepository("us-east-1", "repo-03"))
	must(t, s.DeleteRepository("us-east-1", "repo-05"))
	must(t, s.CreateRepository("us-east-1", "repo-00a", false))
	must(t, s.CreateRepository("us-east-1", "repo-07a", false))
	var rest []string
	tok := first.NextToken
	for tok != nil {
		out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(4), NextToken: tok})
		must(t, err)
		for _, r := range out.Repositories {
			rest = append(rest, *r.RepositoryName)
		}
		tok = out.NextToken
	}
	want := []string{"repo-04", "repo-06", "repo-07", "repo-07a", "repo-08", "repo-09"}
	if !slices.Equal(rest, want) {
		t.Fatalf("rest = %v, want %v", rest, want)
	}
}

func TestDescribeRepositoriesByName(t *testing.T) {
	s := startServer(t)
	c := newClient(s, "us-east-1", 1)
	must(t, s.CreateRepository("us-east-1", "team/app", true))
	must(t, s.CreateRepository("us-east-1", "team/db", false))
	out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/db", "team/app"}})
	must(t, err)
	if len(out.Repositories) != 2 || *out.Repositories[0].RepositoryName != "team/db" {
		t.Fatalf("repositories %v", out.Repositories)
	}
	app := out.Repositories[1]
	if !app.ImageScanningConfiguration.ScanOnPush || app.ImageTagMutability != types.ImageTagMutabilityMutable ||
		app.EncryptionConfiguration.EncryptionType != types.EncryptionTypeAes256 || app.CreatedAt == nil || *app.RegistryId != DefaultAccount {
		t.Fatalf("team/app = %+v", app)
	}
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/app", "team/missing"}})
	wantCode(t, err, codeRepositoryNotFound)
	if msg := errMessage(err); msg != "The repository with name 'team/missing' does not exist in the registry with id '123456789012'" {
		t.Fatalf("message %q", msg)
	}
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/app"}, MaxResults: aws.Int32(5)})
	wantCode(t, err, codeInvalidParameter)
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/app"}, RegistryId: aws.String("210987654321")})
	wantCode(t, err, codeRepositoryNotFound)
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("r%03d", i)
	}
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: many})
	wantCode(t, err, codeInvalidParameter)
}

func TestCreateDeleteRepository(t *testing.T) {
	s := startServer(t, WithAccount("111122223333"))
	c := newClient(s, "ap-southeast-2", 1)
	out, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("svc/api"),
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true}})
	must(t, err)
	r := out.Repository
	if *r.RepositoryArn != "arn:aws:ecr:ap-southeast-2:111122223333:repository/svc/api" ||
		*r.RepositoryUri != "111122223333.dkr.ecr.ap-southeast-2.amazonaws.com/svc/api" || !r.ImageScanningConfiguration.ScanOnPush {
		t.Fatalf("created %+v", r)
	}
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("svc/api")})
	wantCode(t, err, codeRepositoryAlreadyExists)
	for _, bad := range []string{"a", "UPPER", "double//slash", "trailing-", "-leading", "a..b", "a__b", "x/"} {
		_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(bad)})
		if errCode(err) != codeInvalidParameter {
			t.Errorf("name %q: %v", bad, err)
		}
	}
	for _, good := range []string{"ab", "a_b", "a-b.c/d_e", "0/1/2"} {
		if !validRepositoryName(good) {
			t.Errorf("validRepositoryName(%q) = false", good)
		}
	}

	_, err = s.PutImage("ap-southeast-2", "svc/api", Image{Tags: []string{"v1"}})
	must(t, err)
	_, err = c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("svc/api")})
	wantCode(t, err, codeRepositoryNotEmpty)
	del, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("svc/api"), Force: true})
	must(t, err)
	if *del.Repository.RepositoryName != "svc/api" {
		t.Fatalf("deleted %+v", del.Repository)
	}
	if _, ok := s.Repository("ap-southeast-2", "svc/api"); ok {
		t.Fatal("repository still there")
	}
	_, err = c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("svc/api")})
	wantCode(t, err, codeRepositoryNotFound)
}

func TestPutImageScanningConfiguration(t *testing.T) {
	s := startServer(t)
	c := newClient(s, "us-east-1", 1)
	must(t, s.CreateRepository("us-east-1", "app", false))
	out, err := c.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: aws.String("app"),
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true}})
	must(t, err)
	if *out.RegistryId != DefaultAccount || *out.RepositoryName != "app" || !out.ImageScanningConfiguration.ScanOnPush {
		t.Fatalf("answer %+v", out)
	}
	if r, _ := s.Repository("us-east-1", "app"); !r.ScanOnPush {
		t.Fatal("flag not stored")
	}
	_, err = c.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: aws.String("nope"),
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true}})
	wantCode(t, err, codeRepositoryNotFound)
}

// TestLargeAnswersSurviveSDKRace pages large answers many times, once with
// the SDK's default HTTP client against the default settle delay, once with
// HTTPClient and no delay (see WithResponseSettle).
func TestLargeAnswersSurviveSDKRace(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   []Option
		client func(*Server) *ecr.Client
	}{
		{"default client, settle delay", nil, func(s *Server) *ecr.Client { return newClient(s, "us-east-1", 1) }},
		{"buffered client, no delay", []Option{WithResponseSettle(0)}, func(s *Server) *ecr.Client {
			return ecr.New(newClient(s, "us-east-1", 1).Options(), func(o *ecr.Options) { o.HTTPClient = HTTPClient() })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, tc.opts...)
			_, err := s.SeedSynthetic("us-east-1", 3000, SyntheticConfig{})
			must(t, err)
			c := tc.client(s)
			for round := 0; round < 12; round++ {
				names, _ := listAll(t, c, 1000)
				if len(names) != 3000 {
					t.Fatalf("round %d: %d names", round, len(names))
				}
			}
		})
	}
}
