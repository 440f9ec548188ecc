package ecremu

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestThrottling(t *testing.T) {
	s := startServer(t)
	must(t, s.CreateRepository("us-east-1", "app", false))
	s.ThrottleNext("DescribeRepositories", 2)
	_, err := newClient(s, "us-east-1", 3).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	must(t, err)
	if n := s.CallCount("DescribeRepositories"); n != 3 {
		t.Fatalf("calls = %d, want 2 throttled + 1 served", n)
	}
	s.SetThrottleRate(AllOperations, 1)
	_, err = newClient(s, "us-east-1", 1).DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	wantCode(t, err, codeThrottling)
	if errMessage(err) != "Rate exceeded" || httpStatus(err) != 400 {
		t.Fatalf("throttle answer %v (status %d)", err, httpStatus(err))
	}
	s.SetThrottleRate("DescribeRegistry", 0) // an operation's own setting overrides "*"
	_, err = newClient(s, "us-east-1", 1).DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	must(t, err)
	s.ClearFaults()
	s.ResetCalls()
	if len(s.Calls()) != 0 {
		t.Fatal("calls not reset")
	}
}

func TestThrottleRateIsProbabilistic(t *testing.T) {
	s := New(WithRandSeed(42))
	s.SetThrottleRate("DescribeRegistry", 0.5)
	throttled := 0
	for i := 0; i < 400; i++ {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
		req.Header.Set("X-Amz-Target", targetPrefix+"DescribeRegistry")
		s.ServeHTTP(rec, req)
		if strings.Contains(rec.Body.String(), codeThrottling) {
			throttled++
		}
	}
	if throttled < 140 || throttled > 260 {
		t.Fatalf("throttled %d of 400 at rate 0.5", throttled)
	}
}

func TestServerErrors(t *testing.T) {
	s := startServer(t)
	s.ServerErrorNext("GetRegistryScanningConfiguration", 1)
	_, err := newClient(s, "us-east-1", 1).GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
	wantCode(t, err, codeServer)
	if httpStatus(err) != 500 {
		t.Fatalf("status %d", httpStatus(err))
	}
	s.ServerErrorNext("GetRegistryScanningConfiguration", 1)
	_, err = newClient(s, "us-east-1", 2).GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
	must(t, err) // the SDK retries a 500
}

func TestAccessDenied(t *testing.T) {
	s := startServer(t)
	must(t, s.CreateRepository("eu-west-1", "team/app", false))
	s.DenyAccess("DescribeImages", "GetRegistryScanningConfiguration")
	c := newClient(s, "eu-west-1", 1)
	_, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("team/app")})
	wantCode(t, err, codeAccessDenied)
	want := "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: ecr:DescribeImages on resource: " +
		"arn:aws:ecr:eu-west-1:123456789012:repository/team/app because no identity-based policy allows the ecr:DescribeImages action"
	if errMessage(err) != want {
		t.Fatalf("message %q", errMessage(err))
	}
	_, err = c.GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
	wantCode(t, err, codeAccessDenied)
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	must(t, err)
	s.AllowAccess("DescribeImages")
	_, err = c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("team/app")})
	must(t, err)
}

func TestDroppedConnection(t *testing.T) {
	s := startServer(t)
	s.DropNext("DescribeRegistry", 1)
	_, err := newClient(s, "us-east-1", 1).DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	if err == nil || errCode(err) != "" {
		t.Fatalf("dropped call answered: %v", err)
	}
	_, err = newClient(s, "us-east-1", 1).DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	must(t, err)
	if n := s.CallCount("DescribeRegistry"); n != 2 {
		t.Fatalf("calls %d", n)
	}
}

func TestLatency(t *testing.T) {
	s := startServer(t)
	s.SetLatency(AllOperations, 60*time.Millisecond)
	s.SetLatency("DescribeRegistry", 0) // removing the own setting falls back to "*"
	start := time.Now()
	_, err := newClient(s, "us-east-1", 1).DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	must(t, err)
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Fatalf("answered in %s", d)
	}
	if s.Faults().Latency["*"] != "60ms" {
		t.Fatalf("faults %+v", s.Faults())
	}
}

// TestHookBetweenListAndBatchGet deletes a repository after it was listed
// and before its scanning configuration is read.
func TestHookBetweenListAndBatchGet(t *testing.T) {
	s := startServer(t)
	c := newClient(s, "us-east-1", 1)
	must(t, s.CreateRepository("us-east-1", "stays", true))
	must(t, s.CreateRepository("us-east-1", "goes-away", true))
	list, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	must(t, err)
	var once sync.Once
	s.SetHook("BatchGetRepositoryScanningConfiguration", func(op, region string) {
		once.Do(func() { must(t, s.DeleteRepository(region, "goes-away")) })
	})
	var names []string
	for _, r := range list.Repositories {
		names = append(names, *r.RepositoryName)
	}
	out, err := c.BatchGetRepositoryScanningConfiguration(ctx, &ecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: names})
	must(t, err)
	if len(out.ScanningConfigurations) != 1 || len(out.Failures) != 1 || *out.Failures[0].RepositoryName != "goes-away" {
		t.Fatalf("answer %+v", out)
	}
}

func TestFaultsAreConcurrencySafe(t *testing.T) {
	s := startServer(t)
	_, err := s.SeedSynthetic("us-east-1", 200, SyntheticConfig{})
	must(t, err)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			c := newClient(s, "us-east-1", 1)
			for i := 0; i < 25; i++ {
				switch i % 3 {
				case 0:
					_, _ = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(50)})
				case 1:
					_, _ = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(fmt.Sprintf("g%d/r%d", g, i))})
				default:
					_, _ = c.BatchGetRepositoryScanningConfiguration(ctx, &ecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: []string{"prod/svc-00000"}})
				}
			}
		}(g)
	}
	for i := 0; i < 50; i++ {
		s.SetThrottleRate(AllOperations, float64(i%2)*0.3)
		s.SetLatency("DescribeRepositories", time.Duration(i%3)*time.Millisecond)
		_ = s.Calls()
		_ = s.Faults()
		must(t, s.SetRegistryScanning("us-east-1", ScanTypeEnhanced, []ScanningRule{{ScanFrequency: FrequencyContinuousScan,
			RepositoryFilters: []RepositoryFilter{{Filter: "prod"}}}}))
	}
	wg.Wait()
	if s.Panics() != 0 {
		t.Fatalf("%d handler panics", s.Panics())
	}
}

func TestApplyFaults(t *testing.T) {
	s := New()
	must(t, s.ApplyFaults(FaultConfig{Latency: map[string]string{"*": "5ms"}, ThrottleNext: map[string]int{"DescribeImages": 2},
		ServerErrorRate: map[string]float64{"*": 0.25}, Deny: []string{"DescribeRegistry"}}))
	f := s.Faults()
	if f.Latency["*"] != "5ms" || f.ThrottleNext["DescribeImages"] != 2 || f.ServerErrorRate["*"] != 0.25 || len(f.Deny) != 1 {
		t.Fatalf("faults %+v", f)
	}
	if err := s.ApplyFaults(FaultConfig{Latency: map[string]string{"*": "soon"}}); err == nil {
		t.Fatal("bad duration accepted")
	}
	must(t, s.ApplyFaults(FaultConfig{Clear: true}))
	if f := s.Faults(); len(f.Latency) != 0 || f.ThrottleNext != nil || len(f.Deny) != 0 {
		t.Fatalf("not cleared %+v", f)
	}
}
