package awsecr

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

const region = "us-east-1"

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// startEmulator serves an ECR emulator and returns a client bound to it.
func startEmulator(t *testing.T, concurrency int) (*ecremu.Server, *Client) {
	t.Helper()
	srv := ecremu.New()
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("closing the emulator: %v", err)
		}
	})
	api := ecr.New(ecr.Options{Region: region, BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	return srv, &Client{api: api, Region: region, concurrency: concurrency}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func digest(n int) string { return fmt.Sprintf("sha256:%064x", n) }

func putImage(t *testing.T, srv *ecremu.Server, repo string, img ecremu.Image) string {
	t.Helper()
	d, err := srv.PutImage(region, repo, img)
	must(t, err)
	return d
}

func clean(at time.Time) *ecremu.Scan {
	return &ecremu.Scan{Status: "COMPLETE", CompletedAt: at, SeverityCounts: map[string]int32{}}
}

func TestLatestImage_newestOf3000AcrossPagesInTheMiddleOfAPage(t *testing.T) {
	srv, c := startEmulator(t, 4)
	must(t, srv.CreateRepository(region, "big", true))
	// The emulator pages by digest, so image i is on page i/1000 + 1; the
	// newest (1500) sits in the middle of the second page. Push times are
	// scrambled so neither page nor push order gives it away.
	for i := range 3000 {
		pushed := t0.Add(-time.Duration((i*7919)%3000+1) * time.Minute)
		img := ecremu.Image{Digest: digest(i), PushedAt: pushed, Scan: clean(pushed)}
		switch i {
		case 1500:
			img.PushedAt, img.Tags = t0, []string{"v1500"}
		case 10:
			img.Tags = []string{"latest"}
		}
		putImage(t, srv, "big", img)
	}
	// Referrers pushed later never win.
	putImage(t, srv, "big", ecremu.Image{Digest: digest(5000), PushedAt: t0.Add(time.Hour),
		ArtifactMediaType: ecremu.MediaTypeCosignSignature, SubjectDigest: digest(1500)})
	putImage(t, srv, "big", ecremu.Image{Digest: digest(5001), PushedAt: t0.Add(time.Hour),
		ArtifactMediaType: ecremu.MediaTypeSPDX})
	srv.ResetCalls()

	img, calls, err := c.LatestImage(context.Background(), "", "big", ImageQuery{})
	must(t, err)
	if img.Digest != digest(1500) || !slices.Equal(img.Tags, []string{"v1500"}) ||
		!img.PushedAt.Equal(t0) || !img.Scan.Found || img.Scan.Status != "COMPLETE" {
		t.Fatalf("picked %s %v at %s, want %s", img.Digest, img.Tags, img.PushedAt, digest(1500))
	}
	if calls.DescribeImages != 4 || srv.CallCount("DescribeImages") != 4 ||
		calls.DescribeImageScanFindings != 1 || calls.BatchGetImage != 0 {
		t.Fatalf("calls %+v, emulator %v", calls, srv.Calls())
	}
}

func TestLatestImage_indexReadThroughItsManifest(t *testing.T) {
	srv, c := startEmulator(t, 4)
	must(t, srv.CreateRepository(region, "multi", true))
	high := &ecremu.Scan{Status: "COMPLETE", CompletedAt: t0,
		Findings: []ecremu.Finding{{Name: "CVE-2026-1", Severity: "HIGH"}}}
	idx := putImage(t, srv, "multi", ecremu.Image{Tags: []string{"v2"}, PushedAt: t0,
		Manifests: []ecremu.Image{
			{Platform: &ecremu.Platform{Architecture: "amd64", OS: "linux"}, Scan: clean(t0)},
			{Platform: &ecremu.Platform{Architecture: "arm64", OS: "linux", Variant: "v8"},
				Scan: high},
			{Platform: &ecremu.Platform{Architecture: "unknown", OS: "unknown"}},
		}})
	putImage(t, srv, "multi", ecremu.Image{Tags: []string{"v1"}, PushedAt: t0.Add(-time.Hour),
		Scan: clean(t0)})
	srv.ResetCalls()

	img, calls, err := c.LatestImage(context.Background(), "", "multi", ImageQuery{})
	must(t, err)
	if img.Digest != idx || len(img.Platforms) != 2 {
		t.Fatalf("picked %s with platforms %+v, want index %s with 2", img.Digest, img.Platforms, idx)
	}
	var platforms []string
	for _, p := range img.Platforms {
		platforms = append(platforms, p.Platform)
	}
	slices.Sort(platforms)
	if !slices.Equal(platforms, []string{"linux/amd64", "linux/arm64/v8"}) {
		t.Fatalf("platforms %q", platforms)
	}
	if calls.BatchGetImage != 1 || calls.DescribeImageScanFindings != 2 {
		t.Fatalf("calls %+v", calls)
	}
}

func TestLatestImage_byTagAndStates(t *testing.T) {
	srv, c := startEmulator(t, 4)
	must(t, srv.CreateRepository(region, "app", true))
	must(t, srv.CreateRepository(region, "empty", true))
	putImage(t, srv, "app", ecremu.Image{Tags: []string{"prod"}, PushedAt: t0.Add(-time.Hour)})
	putImage(t, srv, "app", ecremu.Image{Tags: []string{"dev"}, PushedAt: t0, Scan: clean(t0)})
	ctx := context.Background()

	img, _, err := c.LatestImage(ctx, "", "app", ImageQuery{Tag: "prod"})
	must(t, err)
	if img.Digest == "" || img.Scan.Found || img.Tag != "prod" {
		t.Fatalf("tag prod: %+v (want a never-scanned image: ScanNotFoundException)", img)
	}
	img, _, err = c.LatestImage(ctx, "", "app", ImageQuery{Tag: "nope"})
	must(t, err)
	if img.Digest != "" {
		t.Fatalf("missing tag: %+v", img)
	}
	img, calls, err := c.LatestImage(ctx, "", "empty", ImageQuery{})
	must(t, err)
	if img.Digest != "" || calls.DescribeImageScanFindings != 0 {
		t.Fatalf("empty repository: %+v %+v", img, calls)
	}
	if _, _, err := c.LatestImage(ctx, "", "gone", ImageQuery{}); err == nil {
		t.Fatal("a missing repository is an error")
	}
}

func TestLatestImage_findingsPagedOnlyWhenNeeded(t *testing.T) {
	srv, c := startEmulator(t, 4)
	must(t, srv.CreateRepository(region, "noisy", true))
	var findings []ecremu.Finding
	for i := range 2500 {
		findings = append(findings, ecremu.Finding{Name: fmt.Sprintf("CVE-2026-%d", i),
			Severity: []string{"LOW", "UNTRIAGED"}[i%2]})
	}
	putImage(t, srv, "noisy", ecremu.Image{PushedAt: t0, Scan: &ecremu.Scan{Status: "COMPLETE",
		CompletedAt: t0, Findings: findings}})
	ctx := context.Background()

	img, calls, err := c.LatestImage(ctx, "", "noisy", ImageQuery{})
	must(t, err)
	if calls.DescribeImageScanFindings != 1 || img.Scan.FindingsComplete ||
		img.Scan.Counts["LOW"] != 1250 || img.Scan.Counts["UNTRIAGED"] != 1250 {
		t.Fatalf("counts only: calls %+v scan counts %v", calls, img.Scan.Counts)
	}
	img, calls, err = c.LatestImage(ctx, "", "noisy", ImageQuery{AllFindings: true})
	must(t, err)
	if calls.DescribeImageScanFindings != 3 || !img.Scan.FindingsComplete ||
		len(img.Scan.Findings) != 2500 {
		t.Fatalf("all findings: calls %+v, %d findings", calls, len(img.Scan.Findings))
	}
}

func TestObserve_imagesOnlyWhenAskedAndWithinTheBound(t *testing.T) {
	srv, c := startEmulator(t, 3)
	for i := range 40 {
		name := fmt.Sprintf("svc-%02d", i)
		must(t, srv.CreateRepository(region, name, true))
		putImage(t, srv, name, ecremu.Image{PushedAt: t0, Scan: clean(t0)})
	}
	ctx := context.Background()

	obs, err := c.Observe(ctx, Selection{Filters: []string{"*"}})
	must(t, err)
	if n := srv.CallCount("DescribeImages") + srv.CallCount("DescribeImageScanFindings"); n != 0 ||
		obs.Repositories[0].Image != nil {
		t.Fatalf("%d image calls without an image query", n)
	}

	var inFlight, peak atomic.Int32
	hook := func(string, string) {
		n := inFlight.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(5 * time.Millisecond)
		inFlight.Add(-1)
	}
	for _, op := range []string{"DescribeImages", "DescribeImageScanFindings",
		"BatchGetRepositoryScanningConfiguration"} {
		srv.SetHook(op, hook)
	}
	obs, err = c.Observe(ctx, Selection{Filters: []string{"*"}, Images: &ImageQuery{}})
	must(t, err)
	for _, r := range obs.Repositories {
		if r.Image == nil || r.Image.Digest == "" || !r.Image.Scan.Found {
			t.Fatalf("%s: image %+v", r.Name, r.Image)
		}
	}
	if obs.Calls.DescribeImages != 40 || obs.Calls.DescribeImageScanFindings != 40 {
		t.Fatalf("calls %+v", obs.Calls)
	}
	if p := peak.Load(); p > 3 || p < 2 {
		t.Fatalf("peak concurrency %d, want at most the bound of 3 (and some overlap)", p)
	}
}

func TestLatestImage_failedCallReturnsNoObservation(t *testing.T) {
	for _, op := range []string{"DescribeImages", "DescribeImageScanFindings"} {
		t.Run(op, func(t *testing.T) {
			srv, c := startEmulator(t, 2)
			must(t, srv.CreateRepository(region, "app", true))
			putImage(t, srv, "app", ecremu.Image{PushedAt: t0, Scan: clean(t0)})
			srv.DenyAccess(op)

			img, calls, err := c.LatestImage(context.Background(), "", "app", ImageQuery{})
			if !errors.Is(err, ErrDenied) {
				t.Fatalf("error %v, want access denied", err)
			}
			if img != nil {
				t.Errorf("an observation %+v came with the error: return one or the other", img)
			}
			if calls.DescribeImages == 0 {
				t.Errorf("calls %+v: the calls made are counted even on failure", calls)
			}
		})
	}
}

func TestLatestImage_deletedRepositoryIsRepositoryNotFound(t *testing.T) {
	_, c := startEmulator(t, 2)
	img, _, err := c.LatestImage(context.Background(), "", "gone", ImageQuery{})
	if !errors.Is(err, ErrRepositoryNotFound) || !errors.Is(err, ErrNotFound) ||
		errors.Is(err, ErrImageNotFound) || img != nil {
		t.Fatalf("got %+v, %v; want no image and a repository-not-found error", img, err)
	}
}

// TestLatestImage_emptyEnhancedFindingsListIsACleanScan reads, through the
// SDK, a COMPLETE enhanced scan whose enhancedFindings ECR answers as []
// (clean) and one where ECR answers no list and no counts yet (not
// settled, ECR.md).
func TestLatestImage_emptyEnhancedFindingsListIsACleanScan(t *testing.T) {
	srv, c := startEmulator(t, 2)
	must(t, srv.CreateRepository(region, "clean", true))
	must(t, srv.CreateRepository(region, "early", true))
	putImage(t, srv, "clean", ecremu.Image{PushedAt: t0, Scan: &ecremu.Scan{Status: "COMPLETE",
		CompletedAt: t0, EnhancedFindings: []ecremu.EnhancedFinding{}}})
	putImage(t, srv, "early", ecremu.Image{PushedAt: t0, Scan: &ecremu.Scan{Status: "COMPLETE",
		CompletedAt: t0}})
	ctx := context.Background()

	for repo, want := range map[string]struct {
		listed bool
		state  compliance.ScanState
	}{
		"clean": {true, compliance.ScanStateComplete},
		"early": {false, compliance.ScanStatePending},
	} {
		img, _, err := c.LatestImage(ctx, "", repo, ImageQuery{})
		must(t, err)
		if img.Scan.FindingsListed != want.listed || img.Scan.Counts != nil {
			t.Errorf("%s: FindingsListed %t, counts %v; want %t, none", repo,
				img.Scan.FindingsListed, img.Scan.Counts, want.listed)
		}
		if got := compliance.NormaliseScan(compliance.ScanTypeEnhanced, img.Scan); got != want.state {
			t.Errorf("%s: enhanced scan state %s, want %s", repo, got, want.state)
		}
	}
}
