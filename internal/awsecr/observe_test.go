package awsecr

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

// TestObserve_fastEndpointWithFullPages reads 1000-repository pages from an
// endpoint that answers at once (no settle delay), as a fast VPC endpoint or
// another emulator would: every read is complete and makes the minimum calls.
func TestObserve_fastEndpointWithFullPages(t *testing.T) {
	srv := ecremu.New(ecremu.WithResponseSettle(0))
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	if _, err := srv.SeedSynthetic("us-east-1", 5000, ecremu.SyntheticConfig{}); err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(context.Background(), Settings{Region: "us-east-1",
		AccessKey: "AKIAEMULATOR00000000", SecretKey: "secret", ECREndpoint: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Client(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}

	const runs = 10
	for i := range runs {
		obs, err := c.Observe(context.Background(), Selection{Filters: []string{"*"}})
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if len(obs.Repositories) != 5000 {
			t.Fatalf("run %d judged %d repositories, want 5000", i, len(obs.Repositories))
		}
	}
	if got := srv.CallCount("DescribeRepositories"); got != runs*5 {
		t.Errorf("DescribeRepositories called %d times, want %d (no retries)", got, runs*5)
	}
	if got := srv.CallCount("BatchGetRepositoryScanningConfiguration"); got != runs*200 {
		t.Errorf("BatchGet called %d times, want %d (no retries)", got, runs*200)
	}
}

func TestObserve_foreignRegistryIDStopsBeforeAnyRepositoryCall(t *testing.T) {
	const foreign = "210987654321"
	srv, c := startEmulator(t, 4)
	must(t, srv.CreateRepository(region, "app", true))
	putImage(t, srv, "app", ecremu.Image{PushedAt: t0, Scan: clean(t0)})

	for name, sel := range map[string]Selection{
		"listing":  {RegistryID: foreign, Filters: []string{"*"}, Images: &ImageQuery{}},
		"by name":  {RegistryID: foreign, Names: []string{"app"}, Images: &ImageQuery{}},
		"no names": {RegistryID: foreign, Names: []string{}},
	} {
		t.Run(name, func(t *testing.T) {
			srv.ResetCalls()
			obs, err := c.Observe(context.Background(), sel)
			var fe *ForeignRegistryError
			if !errors.As(err, &fe) || fe.Want != foreign || fe.Caller != ecremu.DefaultAccount {
				t.Fatalf("got %v, %v; want a *ForeignRegistryError{%s, %s}", obs, err, foreign,
					ecremu.DefaultAccount)
			}
			if obs != nil {
				t.Errorf("an observation came with the error")
			}
			calls := srv.Calls()
			if calls["GetRegistryScanningConfiguration"] != 1 || totalCalls(srv) != 1 {
				t.Errorf("calls %v; want only the registry read", calls)
			}
		})
	}

	obs, err := c.Observe(context.Background(), Selection{RegistryID: ecremu.DefaultAccount,
		Filters: []string{"*"}})
	must(t, err)
	if len(obs.Repositories) != 1 || obs.Registry.ID != ecremu.DefaultAccount {
		t.Fatalf("the caller's own registry_id: %+v", obs)
	}
}

// TestRegistryScanning_asksDescribeRegistryOnlyWhenTheIDIsMissing: ECR names
// the registry in GetRegistryScanningConfiguration; an endpoint that leaves
// it out is asked with DescribeRegistry, once, instead of the ID being empty.
func TestRegistryScanning_asksDescribeRegistryOnlyWhenTheIDIsMissing(t *testing.T) {
	srv := ecremu.New(ecremu.WithResponseSettle(0))
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	strip := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		body := rec.Body.String()
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetRegistryScanningConfiguration") {
			body = strings.Replace(body, `"registryId":"123456789012",`, "", 1)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(strip.Close)

	for _, tc := range []struct {
		endpoint string
		describe int
	}{{srv.URL(), 0}, {strip.URL, 1}} {
		srv.ResetCalls()
		s, err := NewSession(context.Background(), Settings{Region: "us-east-1",
			AccessKey: "AKIAEMULATOR00000000", SecretKey: "secret", ECREndpoint: tc.endpoint})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Client(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		reg, err := c.RegistryScanning(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if reg.ID != "123456789012" {
			t.Errorf("%s: registry ID %q", tc.endpoint, reg.ID)
		}
		if got := srv.CallCount("DescribeRegistry"); got != tc.describe {
			t.Errorf("%s: DescribeRegistry called %d times, want %d", tc.endpoint, got, tc.describe)
		}
	}
}
