package ecremu

import (
	"strings"
	"testing"
)

func TestSampleSeed(t *testing.T) {
	s := New()
	loadSample(t, s)
	if got := s.RepositoryNames("us-east-1"); strings.Join(got, ",") != "empty-repo,legacy/batch,prod/web,tools/scratch-runner" {
		t.Fatalf("us-east-1 repositories %v", got)
	}
	if cfg := s.RegistryScanning("eu-west-1"); cfg.ScanType != ScanTypeEnhanced || len(cfg.Rules) != 2 {
		t.Fatalf("eu-west-1 scanning %+v", cfg)
	}
	for _, tc := range []struct{ region, repo, freq string }{
		{"us-east-1", "prod/web", FrequencyScanOnPush},
		{"us-east-1", "tools/scratch-runner", FrequencyScanOnPush}, // legacy flag under BASIC
		{"us-east-1", "legacy/batch", FrequencyManual},
		{"eu-west-1", "app/api-prod", FrequencyContinuousScan},
		{"eu-west-1", "team-data/etl", FrequencyScanOnPush},
		{"eu-west-1", "sandbox/tools", FrequencyManual}, // legacy flag ignored under ENHANCED
	} {
		freq, _, ok := s.EffectiveScanning(tc.region, tc.repo)
		if !ok || freq != tc.freq {
			t.Errorf("%s %s: %s, want %s", tc.region, tc.repo, freq, tc.freq)
		}
	}
	r, ok := s.Repository("eu-west-1", "app/api-prod")
	if !ok || r.ImageCount != 5 || !r.CreatedAt.Equal(mustTime("2025-02-01T09:00:00Z")) {
		t.Fatalf("app/api-prod %+v", r)
	}
	img, ok := s.Image("eu-west-1", "team-data/etl", "2023")
	if !ok || img.Digest != digestOf(img.Manifest) || img.Scan.Status != "SCAN_ELIGIBILITY_EXPIRED" {
		t.Fatalf("generated digest image %+v", img)
	}
}

func TestSeedErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown member":    `{"regions":{"us-east-1":{"repos":[]}}}`,
		"bad repo name":     `{"regions":{"us-east-1":{"repositories":[{"name":"Bad"}]}}}`,
		"bad scanning":      `{"regions":{"us-east-1":{"scanningConfiguration":{"scanType":"BASIC","rules":[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"x"}]}]}}}}`,
		"bad digest":        `{"regions":{"us-east-1":{"repositories":[{"name":"ok","images":[{"digest":"md5:00"}]}]}}}`,
		"bad account":       `{"account":"12","regions":{}}`,
		"bad region":        `{"regions":{"US EAST":{}}}`,
		"not json":          `{"regions":`,
		"bad tag":           `{"regions":{"us-east-1":{"repositories":[{"name":"ok","images":[{"tags":["a b"]}]}]}}}`,
		"bad mutability":    `{"regions":{"us-east-1":{"repositories":[{"name":"ok","imageTagMutability":"SOMETIMES"}]}}}`,
		"immutable retag":   `{"regions":{"us-east-1":{"repositories":[{"name":"ok","imageTagMutability":"IMMUTABLE","images":[{"tags":["v1"]},{"tags":["v1"],"sizeInBytes":5}]}]}}}`,
		"bad subject":       `{"regions":{"us-east-1":{"repositories":[{"name":"ok","images":[{"subjectDigest":"sha256:xyz"}]}]}}}`,
		"nested too deeply": `{"regions":{"us-east-1":{"repositories":[{"name":"ok","images":[{"manifests":[{"manifests":[{"manifests":[{"manifests":[{}]}]}]}]}]}]}}}`,
	} {
		if err := New().LoadSeed(strings.NewReader(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSeedSyntheticDeterministic(t *testing.T) {
	a, b := New(), New()
	na, err := a.SeedSynthetic("us-east-1", 50, SyntheticConfig{ImagesPerRepository: 3})
	must(t, err)
	nb, err := b.SeedSynthetic("us-east-1", 50, SyntheticConfig{ImagesPerRepository: 3})
	must(t, err)
	if strings.Join(na, ",") != strings.Join(nb, ",") {
		t.Fatal("names differ between runs")
	}
	flags := 0
	for _, n := range na {
		ra, _ := a.Repository("us-east-1", n)
		rb, _ := b.Repository("us-east-1", n)
		if ra != rb || ra.ImageCount != 3 {
			t.Fatalf("%s: %+v vs %+v", n, ra, rb)
		}
		ia, _ := a.Image("us-east-1", n, "latest")
		ib, _ := b.Image("us-east-1", n, "latest")
		if ia.Digest != ib.Digest {
			t.Fatalf("%s: digests differ", n)
		}
		if ra.ScanOnPush {
			flags++
		}
	}
	if flags != 17 {
		t.Fatalf("%d of 50 have the legacy flag, want every third (17)", flags)
	}
	again, err := a.SeedSynthetic("us-east-1", 50, SyntheticConfig{})
	must(t, err)
	if len(again) != 0 || len(a.RepositoryNames("us-east-1")) != 50 {
		t.Fatal("re-seeding duplicated repositories")
	}
}
