package compliance

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Manifest and artifact media types that decide what an image is.
const (
	MediaTypeOCIIndex           = "application/vnd.oci.image.index.v1+json"
	MediaTypeDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
	MediaTypeOCIConfig          = "application/vnd.oci.image.config.v1+json"
	MediaTypeDockerConfig       = "application/vnd.docker.container.image.v1+json"
)

// cosignTag is the tag cosign gives signatures, attestations and SBOMs it
// stores next to an image ("sha256-<digest>.sig").
var cosignTag = regexp.MustCompile(`^sha256-[0-9a-f]{64}\.(sig|att|sbom)$`)

// ImageSummary is what DescribeImages says of one image.
type ImageSummary struct {
	Digest            string
	Tags              []string
	PushedAt          time.Time
	ManifestMediaType string
	ArtifactMediaType string
	// SubjectDigest is set on referrers (signatures, attestations, SBOMs).
	SubjectDigest string
}

// IsIndex reports whether the image is an image index (manifest list).
func (i ImageSummary) IsIndex() bool {
	return i.ManifestMediaType == MediaTypeOCIIndex ||
		i.ManifestMediaType == MediaTypeDockerManifestList
}

// IsContainerImage reports whether the image is something that runs: an
// image manifest with a container config, or an index of them. Referrers
// (a subject, or a signature, attestation or SBOM artifact type, or only
// cosign's sha256-*.sig/.att/.sbom tags) and other artifacts (Helm charts)
// are not.
func (i ImageSummary) IsContainerImage() bool {
	if i.SubjectDigest != "" {
		return false
	}
	if len(i.Tags) > 0 && !slices.ContainsFunc(i.Tags, func(t string) bool {
		return !cosignTag.MatchString(t)
	}) {
		return false
	}
	if i.IsIndex() {
		return true
	}
	switch i.ArtifactMediaType {
	case "", MediaTypeOCIConfig, MediaTypeDockerConfig:
		return true
	}
	return false
}

// SelectNewest picks the image to judge: the newest imagePushedAt among
// container images, whatever order the pages came in. Ties go to an index
// (its platform images share its push time) and then to the smaller digest,
// so the choice never depends on page order. No tag, `latest` included, is
// assumed.
func SelectNewest(images []ImageSummary) (ImageSummary, bool) {
	var best ImageSummary
	ok := false
	for _, img := range images {
		if !img.IsContainerImage() {
			continue
		}
		if !ok || newer(img, best) {
			best, ok = img, true
		}
	}
	return best, ok
}

func newer(a, b ImageSummary) bool {
	if c := a.PushedAt.Compare(b.PushedAt); c != 0 {
		return c > 0
	}
	if a.IsIndex() != b.IsIndex() {
		return a.IsIndex()
	}
	return a.Digest < b.Digest
}

// ImageObservation is what was read about the image judged in a
// repository.
type ImageObservation struct {
	// Tag is the image_tag asked for; empty for the newest image.
	Tag string
	// Digest is empty when the repository has no container image (or no
	// image with Tag).
	Digest   string
	Tags     []string
	PushedAt time.Time
	// Scan is the image's own scan; for an index, used only when it has no
	// platform images.
	Scan ImageScan
	// Platforms are an index's platform images.
	Platforms []PlatformImage
}

// PlatformImage is one platform image of an index.
type PlatformImage struct {
	Digest   string
	Platform string
	Scan     ImageScan
}

// LatestImage is the judged image of a repository as reported.
type LatestImage struct {
	Digest          string           `json:"digest"`
	Tags            []string         `json:"tags"`
	PushedAt        time.Time        `json:"pushed_at,omitzero"`
	ScanStatus      string           `json:"scan_status"`
	ScanState       ScanState        `json:"scan_state"`
	ScanCompletedAt time.Time        `json:"scan_completed_at,omitzero"`
	SeverityCounts  map[string]int   `json:"severity_counts"`
	IgnoredFindings []IgnoredFinding `json:"ignored_findings"`
	// JudgedDigest and Platform name the platform image an index was
	// judged by (its worst).
	JudgedDigest string `json:"judged_digest,omitempty"`
	Platform     string `json:"platform,omitempty"`
	// Warnings are findings-gate notes that do not fail the repository.
	Warnings []string `json:"-"`
}

// judgeImage judges a repository's latest image and returns what to report
// and the reasons it fails.
func judgeImage(scanType ScanType, img *ImageObservation, o FindingsOptions,
	now time.Time) (*LatestImage, []Reason) {
	li := &LatestImage{Tags: []string{}, SeverityCounts: map[string]int{},
		IgnoredFindings: []IgnoredFinding{}, ScanState: ScanStateNoImage}
	if img == nil || img.Digest == "" {
		if img != nil && img.Tag != "" {
			li.Warnings = append(li.Warnings, fmt.Sprintf("no image is tagged %q", img.Tag))
		}
		return li, nil
	}
	li.Digest, li.PushedAt = img.Digest, img.PushedAt
	li.Tags = append(li.Tags, img.Tags...)
	slices.Sort(li.Tags)

	label := "image " + shortDigest(img.Digest)
	if img.Tag != "" {
		label = fmt.Sprintf("image %s (tag %s)", shortDigest(img.Digest), img.Tag)
	}
	var res scanResult
	var scan ImageScan
	if len(img.Platforms) == 0 {
		scan = img.Scan
		res = judgeScan(scanType, scan, label, img.PushedAt, o, now)
	} else {
		var worst int
		results := make([]scanResult, len(img.Platforms))
		for i, p := range img.Platforms {
			plabel := fmt.Sprintf("platform image %s (%s) of index %s", shortDigest(p.Digest),
				cmp.Or(p.Platform, "unknown platform"), shortDigest(img.Digest))
			results[i] = judgeScan(scanType, p.Scan, plabel, img.PushedAt, o, now)
			if i > 0 && worse(results[i], p.Digest, results[worst],
				img.Platforms[worst].Digest, o) {
				worst = i
			}
		}
		res, scan = results[worst], img.Platforms[worst].Scan
		li.JudgedDigest, li.Platform = img.Platforms[worst].Digest, img.Platforms[worst].Platform
		for _, r := range results {
			li.Warnings = append(li.Warnings, r.warnings...)
		}
		res.warnings = nil
	}

	li.ScanStatus, li.ScanState, li.ScanCompletedAt = scan.Status, res.state, scan.CompletedAt
	li.SeverityCounts, li.IgnoredFindings = res.counts, res.ignored
	li.Warnings = append(li.Warnings, res.warnings...)
	return li, res.reasons
}

// codeSeverity orders failing codes for picking an index's worst platform.
var codeSeverity = []Code{CodeFindingsAtThreshold, CodeScanFailed, CodeImageUnsupported,
	CodeNoScan, CodeScanStateUnknown, CodeScanStale, CodeScanPending}

// worse reports whether result a (of digest da) is worse than b: failing
// before passing, then by reason code, then a still pending or unsupported
// state, then the most severe finding and the number of findings; ties go
// to the smaller digest.
func worse(a scanResult, da string, b scanResult, db string, o FindingsOptions) bool {
	key := func(r scanResult) []int {
		code := len(codeSeverity)
		if len(r.reasons) > 0 {
			if i := slices.Index(codeSeverity, r.reasons[0].Code); i >= 0 {
				code = i
			}
		}
		unsettled := 0
		if r.state == ScanStatePending || r.state == ScanStateUnsupported {
			unsettled = 1
		}
		return []int{len(r.reasons), -code, unsettled, highest(r.counts, o), total(r.counts)}
	}
	if c := slices.Compare(key(a), key(b)); c != 0 {
		return c > 0
	}
	return da < db
}

func shortDigest(d string) string {
	if i := strings.IndexByte(d, ':'); i >= 0 && len(d) > i+13 {
		return d[:i+13]
	}
	return d
}
