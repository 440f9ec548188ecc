package compliance

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	ociManifest = "application/vnd.oci.image.manifest.v1+json"
	cosignSig   = "application/vnd.dev.cosign.artifact.sig.v1+json"
	spdx        = "application/spdx+json"
	helmConfig  = "application/vnd.cncf.helm.config.v1+json"
)

func digest(n int) string { return fmt.Sprintf("sha256:%064x", n) }

func image(n int, pushed time.Time, tags ...string) ImageSummary {
	return ImageSummary{Digest: digest(n), Tags: tags, PushedAt: pushed,
		ManifestMediaType: ociManifest, ArtifactMediaType: MediaTypeOCIConfig}
}

func TestSelectNewest(t *testing.T) {
	t0 := judgeNow.Add(-24 * time.Hour)
	index := ImageSummary{Digest: digest(50), Tags: []string{"v3"}, PushedAt: t0.Add(3 * time.Hour),
		ManifestMediaType: MediaTypeOCIIndex}
	child := image(1, index.PushedAt) // a platform image shares the index's push time
	cases := []struct {
		name   string
		images []ImageSummary
		want   string
	}{
		{"no images", nil, ""},
		{"newest push wins, not the latest tag", []ImageSummary{
			image(1, t0, "latest"), image(2, t0.Add(time.Hour), "v2")}, digest(2)},
		{"signatures, attestations, SBOMs and charts are skipped", []ImageSummary{
			image(1, t0, "v1"),
			{Digest: digest(2), PushedAt: t0.Add(time.Hour), ManifestMediaType: ociManifest,
				ArtifactMediaType: cosignSig, SubjectDigest: digest(1)},
			{Digest: digest(3), PushedAt: t0.Add(2 * time.Hour), ManifestMediaType: ociManifest,
				ArtifactMediaType: spdx},
			{Digest: digest(4), PushedAt: t0.Add(3 * time.Hour), ManifestMediaType: ociManifest,
				ArtifactMediaType: MediaTypeOCIConfig, SubjectDigest: digest(1)},
			image(5, t0.Add(4*time.Hour), "sha256-"+strings.Repeat("ab", 32)+".sig"),
			{Digest: digest(6), PushedAt: t0.Add(5 * time.Hour), ManifestMediaType: ociManifest,
				ArtifactMediaType: helmConfig, Tags: []string{"chart"}},
		}, digest(1)},
		{"an index wins the tie with its platform images", []ImageSummary{child, index},
			digest(50)},
		{"equal push times go to the smaller digest", []ImageSummary{
			image(9, t0), image(7, t0), image(8, t0)}, digest(7)},
		{"only referrers: no image", []ImageSummary{{Digest: digest(2), PushedAt: t0,
			ManifestMediaType: ociManifest, ArtifactMediaType: cosignSig}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for round := range 20 { // page order never matters
				imgs := slices.Clone(tc.images)
				rand.New(rand.NewPCG(uint64(round), 7)).Shuffle(len(imgs), func(i, j int) {
					imgs[i], imgs[j] = imgs[j], imgs[i]
				})
				got, ok := SelectNewest(imgs)
				if ok != (tc.want != "") || got.Digest != tc.want {
					t.Fatalf("round %d: SelectNewest = %s (%v), want %s", round, got.Digest,
						ok, tc.want)
				}
			}
		})
	}
}

func findingsOptions() Options {
	return Options{Policy: PolicyEffective, Now: judgeNow,
		Findings: &FindingsOptions{PendingGrace: DefaultPendingGrace}}
}

func scannedRepo(img *ImageObservation) Observation {
	obs := withLive(found("app", false), FrequencyScanOnPush, "*")
	obs.Image = img
	return obs
}

func TestJudge_noImagePassesAndIsReported(t *testing.T) {
	reg := registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*"))
	v := Judge(reg, scannedRepo(nil), findingsOptions())
	if v.Status != StatusCompliant || v.LatestImage == nil ||
		v.LatestImage.ScanState != ScanStateNoImage || v.LatestImage.Digest != "" {
		t.Fatalf("verdict %+v latest %+v", v, v.LatestImage)
	}
	v = Judge(reg, scannedRepo(&ImageObservation{Tag: "prod"}), findingsOptions())
	if v.Status != StatusCompliant || len(v.LatestImage.Warnings) != 1 {
		t.Fatalf("missing tag: %+v %+v", v, v.LatestImage)
	}
	if off := Judge(reg, scannedRepo(nil), Options{Now: judgeNow}); off.LatestImage != nil {
		t.Fatal("without the findings gate there is no latest image")
	}
}

func TestJudge_findingsFlowThroughExemptions(t *testing.T) {
	reg := registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*"))
	img := &ImageObservation{Digest: digest(1), Tags: []string{"v2", "latest"},
		PushedAt: judgeNow.Add(-time.Hour), Scan: ImageScan{Found: true, Status: "COMPLETE",
			Counts: map[string]int{"CRITICAL": 2}, CompletedAt: judgeNow.Add(-50 * time.Minute)}}
	opts := findingsOptions()
	v := Judge(reg, scannedRepo(img), opts)
	if v.Status != StatusNoncompliant || !slices.Equal(codes(v), []Code{CodeFindingsAtThreshold}) {
		t.Fatalf("verdict %+v", v)
	}
	li := v.LatestImage
	if li.ScanState != ScanStateComplete || li.ScanStatus != "COMPLETE" ||
		!slices.Equal(li.Tags, []string{"latest", "v2"}) || li.SeverityCounts["CRITICAL"] != 2 {
		t.Fatalf("latest image %+v", li)
	}
	opts.Exemptions = []Exemption{{Repository: "app", Reason: "being rebuilt"}}
	if v := Judge(reg, scannedRepo(img), opts); v.Status != StatusExempt {
		t.Fatalf("exempted: %+v", v)
	}
}

func TestJudge_indexJudgedByItsWorstPlatform(t *testing.T) {
	reg := registry(ScanTypeEnhanced, rule(FrequencyContinuous, "*"))
	clean := ImageScan{Found: true, Status: "ACTIVE", Counts: map[string]int{}}
	medium := ImageScan{Found: true, Status: "ACTIVE", Counts: map[string]int{"MEDIUM": 3}}
	high := ImageScan{Found: true, Status: "ACTIVE", Counts: map[string]int{"HIGH": 1}}
	unsupported := ImageScan{Found: true, Status: "UNSUPPORTED_IMAGE"}
	cases := []struct {
		name      string
		platforms []PlatformImage
		want      string
		code      Code
	}{
		{"a vulnerable platform fails the index", []PlatformImage{
			{digest(1), "linux/amd64", clean}, {digest(2), "linux/arm64", high}},
			digest(2), CodeFindingsAtThreshold},
		{"findings are worse than an unsupported platform", []PlatformImage{
			{digest(3), "linux/s390x", unsupported}, {digest(2), "linux/arm64", high}},
			digest(2), CodeFindingsAtThreshold},
		{"passing platforms report the most severe", []PlatformImage{
			{digest(1), "linux/amd64", clean}, {digest(4), "linux/arm64", medium}},
			digest(4), ""},
		{"equal platforms go to the smaller digest", []PlatformImage{
			{digest(6), "linux/arm64", clean}, {digest(5), "linux/amd64", clean}},
			digest(5), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, order := range [][]PlatformImage{tc.platforms, reversed(tc.platforms)} {
				img := &ImageObservation{Digest: digest(50), PushedAt: judgeNow.Add(-time.Hour),
					Platforms: order}
				v := Judge(reg, scannedRepo(img), findingsOptions())
				var got Code
				if len(v.Reasons) > 0 {
					got = v.Reasons[0].Code
				}
				if v.LatestImage.JudgedDigest != tc.want || got != tc.code ||
					v.LatestImage.Digest != digest(50) {
					t.Fatalf("judged %s with %q, want %s with %q (reasons %+v)",
						v.LatestImage.JudgedDigest, got, tc.want, tc.code, v.Reasons)
				}
			}
		})
	}
}

func reversed[T any](s []T) []T {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func TestReportFailureDetail_findingsOnlyFailuresGetTheImageFix(t *testing.T) {
	reg := registry(ScanTypeBasic, rule(FrequencyScanOnPush, "*"))
	img := &ImageObservation{Digest: digest(1), PushedAt: judgeNow.Add(-time.Hour),
		Scan: ImageScan{Found: true, Status: "COMPLETE", Counts: map[string]int{"HIGH": 1}}}
	v := Judge(reg, scannedRepo(img), findingsOptions())
	detail := NewReport(reg, "eu-west-1", PolicyEffective, []Verdict{v}, DetailAll).
		FailureDetail(20, Options{Minimum: FrequencyScanOnPush})
	if !strings.Contains(detail, "ignored_vulnerability") ||
		strings.Contains(detail, "put-registry-scanning-configuration") {
		t.Fatalf("detail:\n%s", detail)
	}

	unscanned := Judge(reg, found("other", false), Options{Policy: PolicyEffective, Now: judgeNow})
	unscanned.Reasons = append(unscanned.Reasons, Reason{CodeScanManual, "x"})
	unscanned.Status = StatusNoncompliant
	detail = NewReport(reg, "eu-west-1", PolicyEffective, []Verdict{v, unscanned}, DetailAll).
		FailureDetail(20, Options{Minimum: FrequencyScanOnPush})
	if !strings.Contains(detail, "ignored_vulnerability") ||
		!strings.Contains(detail, "put-registry-scanning-configuration") {
		t.Fatalf("mixed detail:\n%s", detail)
	}
}
