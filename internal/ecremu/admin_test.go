package ecremu

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

func adminDo(t *testing.T, s *Server, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	must(t, err)
	res, err := http.DefaultClient.Do(req)
	must(t, err)
	b, _ := io.ReadAll(res.Body)
	must(t, res.Body.Close())
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %q", method, path, b)
		}
	}
	return res.StatusCode
}

func TestAdminEndpoints(t *testing.T) {
	s := startServer(t)
	var health map[string]any
	if code := adminDo(t, s, "GET", "/_emulator/health", "", &health); code != 200 || health["ok"] != true {
		t.Fatalf("health %d %v", code, health)
	}
	seed := `{"regions":{"eu-west-1":{"repositories":[{"name":"from/admin","scanOnPush":true}],
		"scanningConfiguration":{"scanType":"ENHANCED","rules":[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"from","filterType":"WILDCARD"}]}]}}}}`
	if code := adminDo(t, s, "POST", "/_emulator/seed", seed, nil); code != 200 {
		t.Fatalf("seed %d", code)
	}
	if code := adminDo(t, s, "POST", "/_emulator/seed", `{"regions":{},"typo":1}`, nil); code != 400 {
		t.Fatalf("seed with unknown member: %d", code)
	}
	var created map[string]int
	if code := adminDo(t, s, "POST", "/_emulator/synthetic?region=eu-west-1&count=30", "", &created); code != 200 || created["created"] != 30 {
		t.Fatalf("synthetic %d %v", code, created)
	}
	var st stateDoc
	adminDo(t, s, "GET", "/_emulator/state?region=eu-west-1", "", &st)
	if st.RepositoryCount != 31 || st.ScanningConfiguration.ScanType != ScanTypeEnhanced || st.Repositories[0].Name != "data/svc-00004" {
		t.Fatalf("state %+v", st)
	}
	for _, r := range st.Repositories {
		if r.Name == "from/admin" && r.ScanFrequency != FrequencyContinuousScan {
			t.Fatalf("from/admin %+v", r)
		}
	}

	var faults FaultConfig
	if code := adminDo(t, s, "POST", "/_emulator/faults", `{"throttleNext":{"DescribeRegistry":1},"latency":{"*":"1ms"}}`, &faults); code != 200 || faults.ThrottleNext["DescribeRegistry"] != 1 {
		t.Fatalf("faults %d %+v", code, faults)
	}
	c := newClient(s, "eu-west-1", 1)
	_, err := c.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	wantCode(t, err, codeThrottling)
	var calls struct {
		Calls map[string]int `json:"calls"`
		Total int            `json:"total"`
	}
	adminDo(t, s, "GET", "/_emulator/calls", "", &calls)
	if calls.Calls["DescribeRegistry"] != 1 || calls.Total != 1 {
		t.Fatalf("calls %+v", calls)
	}
	adminDo(t, s, "POST", "/_emulator/reset?faults=1", "", nil)
	adminDo(t, s, "GET", "/_emulator/calls", "", &calls)
	if calls.Total != 0 || len(s.Faults().Latency) != 0 {
		t.Fatalf("after reset %+v %+v", calls, s.Faults())
	}
	adminDo(t, s, "POST", "/_emulator/reset?state=true", "", nil)
	if len(s.RepositoryNames("eu-west-1")) != 0 {
		t.Fatal("state not reset")
	}
	if code := adminDo(t, s, "GET", "/_emulator/nothing", "", nil); code != 404 {
		t.Fatalf("unknown endpoint %d", code)
	}
	if code := adminDo(t, s, "POST", "/_emulator/faults", `{"latency":{"*":"x"}}`, nil); code != 400 {
		t.Fatalf("bad faults %d", code)
	}
}
