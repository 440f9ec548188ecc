package ecremu

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Media types the emulator knows by name.
const (
	MediaTypeOCIManifest              = "application/vnd.oci.image.manifest.v1+json"
	MediaTypeOCIIndex                 = "application/vnd.oci.image.index.v1+json"
	MediaTypeDockerManifest           = "application/vnd.docker.distribution.manifest.v2+json"
	MediaTypeDockerManifestList       = "application/vnd.docker.distribution.manifest.list.v2+json"
	MediaTypeOCIConfig                = "application/vnd.oci.image.config.v1+json"
	MediaTypeDockerConfig             = "application/vnd.docker.container.image.v1+json"
	MediaTypeCosignSignature          = "application/vnd.dev.cosign.artifact.sig.v1+json"
	MediaTypeSPDX                     = "application/spdx+json"
	mediaTypeOCILayer                 = "application/vnd.oci.image.layer.v1.tar+gzip"
	mediaTypeDockerLayer              = "application/vnd.docker.image.rootfs.diff.tar.gzip"
	defaultImageSize            int64 = 10 << 20
)

// Image is an image as seeded: a manifest in a repository with its tags and
// scan state. Zero fields get defaults when the image is put (see PutImage).
type Image struct {
	// Digest is "sha256:<64 hex>". Empty: the sha256 of the manifest.
	Digest string   `json:"digest,omitempty"`
	Tags   []string `json:"tags,omitempty"`
	// PushedAt defaults to the server clock's now (an index's platform
	// images default to the index's time).
	PushedAt    time.Time `json:"pushedAt,omitzero"`
	SizeInBytes int64     `json:"sizeInBytes,omitempty"`
	// ManifestMediaType defaults to the OCI image manifest, or the OCI
	// index when Manifests is set.
	ManifestMediaType string `json:"manifestMediaType,omitempty"`
	// ArtifactMediaType defaults to the config media type matching the
	// manifest type; referrers set their artifact type here (cosign
	// signatures, in-toto attestations, SBOMs). Empty for an index.
	ArtifactMediaType string `json:"artifactMediaType,omitempty"`
	// SubjectDigest makes the image a referrer of that manifest.
	SubjectDigest string `json:"subjectDigest,omitempty"`
	// Platform is this image's platform when it is listed in an index.
	Platform *Platform `json:"platform,omitempty"`
	// Manifests makes the image an index: each entry is stored as its own
	// (usually untagged) image and listed in the index manifest. An entry
	// whose digest is already in the repository is referenced as it is.
	Manifests []Image `json:"manifests,omitempty"`
	// Manifest overrides the generated manifest document.
	Manifest string `json:"manifest,omitempty"`
	// Scan is the image's scan state; nil means never scanned.
	Scan *Scan `json:"scan,omitempty"`
}

// Platform is an index entry's platform.
type Platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Variant      string `json:"variant,omitempty"`
}

// Scan is an image's scan status and results.
type Scan struct {
	// Status: COMPLETE (default), FAILED, ACTIVE, IN_PROGRESS, PENDING,
	// UNSUPPORTED_IMAGE, SCAN_ELIGIBILITY_EXPIRED, FINDINGS_UNAVAILABLE,
	// or any other string (kept verbatim).
	Status      string `json:"status,omitempty"`
	Description string `json:"description,omitempty"`
	// CompletedAt and VulnerabilitySourceUpdatedAt: zero omits them.
	CompletedAt                  time.Time `json:"completedAt,omitzero"`
	VulnerabilitySourceUpdatedAt time.Time `json:"vulnerabilitySourceUpdatedAt,omitzero"`
	// SeverityCounts is answered verbatim, every key kept. Nil with
	// findings present: counted from the findings' severities. Nil without
	// findings: findingSeverityCounts is omitted; an empty map answers {}.
	SeverityCounts map[string]int32 `json:"severityCounts,omitempty"`
	// OmitSummary leaves imageScanFindingsSummary out of DescribeImages even
	// when findings exist, as ECR sometimes does.
	OmitSummary bool `json:"omitSummary,omitempty"`
	// Findings (basic) and EnhancedFindings (Inspector): each list is
	// answered only when non-nil, so an explicit empty list answers [].
	Findings         []Finding         `json:"findings,omitzero"`
	EnhancedFindings []EnhancedFinding `json:"enhancedFindings,omitzero"`
}

// Finding is a basic scanning finding.
type Finding struct {
	Name        string      `json:"name,omitempty"`
	Description string      `json:"description,omitempty"`
	URI         string      `json:"uri,omitempty"`
	Severity    string      `json:"severity,omitempty"`
	Attributes  []Attribute `json:"attributes,omitempty"`
}

// Attribute is a key/value attribute of a basic finding.
type Attribute struct {
	Key   string `json:"key"`
	Value string `json:"value,omitempty"`
}

// EnhancedFinding is an Amazon Inspector finding. Empty AwsAccountID,
// FindingArn, Status and Type get defaults on the wire.
type EnhancedFinding struct {
	AwsAccountID                string                       `json:"awsAccountId,omitempty"`
	Description                 string                       `json:"description,omitempty"`
	FindingArn                  string                       `json:"findingArn,omitempty"`
	FirstObservedAt             time.Time                    `json:"firstObservedAt,omitzero"`
	LastObservedAt              time.Time                    `json:"lastObservedAt,omitzero"`
	UpdatedAt                   time.Time                    `json:"updatedAt,omitzero"`
	PackageVulnerabilityDetails *PackageVulnerabilityDetails `json:"packageVulnerabilityDetails,omitempty"`
	Remediation                 *Recommendation              `json:"remediation,omitempty"`
	Score                       float64                      `json:"score,omitempty"`
	Severity                    string                       `json:"severity,omitempty"`
	Status                      string                       `json:"status,omitempty"`
	Title                       string                       `json:"title,omitempty"`
	Type                        string                       `json:"type,omitempty"`
	FixAvailable                string                       `json:"fixAvailable,omitempty"`
	ExploitAvailable            string                       `json:"exploitAvailable,omitempty"`
}

// PackageVulnerabilityDetails describes the vulnerability of a finding.
type PackageVulnerabilityDetails struct {
	VulnerabilityID        string              `json:"vulnerabilityId,omitempty"`
	Source                 string              `json:"source,omitempty"`
	SourceURL              string              `json:"sourceUrl,omitempty"`
	VendorSeverity         string              `json:"vendorSeverity,omitempty"`
	VendorCreatedAt        time.Time           `json:"vendorCreatedAt,omitzero"`
	VendorUpdatedAt        time.Time           `json:"vendorUpdatedAt,omitzero"`
	ReferenceURLs          []string            `json:"referenceUrls,omitempty"`
	RelatedVulnerabilities []string            `json:"relatedVulnerabilities,omitempty"`
	CVSS                   []CVSSScore         `json:"cvss,omitempty"`
	VulnerablePackages     []VulnerablePackage `json:"vulnerablePackages,omitempty"`
}

// CVSSScore is one CVSS score of a vulnerability.
type CVSSScore struct {
	BaseScore     float64 `json:"baseScore,omitempty"`
	ScoringVector string  `json:"scoringVector,omitempty"`
	Source        string  `json:"source,omitempty"`
	Version       string  `json:"version,omitempty"`
}

// VulnerablePackage is a package a finding concerns.
type VulnerablePackage struct {
	Arch            string `json:"arch,omitempty"`
	Epoch           *int32 `json:"epoch,omitempty"`
	FilePath        string `json:"filePath,omitempty"`
	FixedInVersion  string `json:"fixedInVersion,omitempty"`
	Name            string `json:"name,omitempty"`
	PackageManager  string `json:"packageManager,omitempty"`
	Release         string `json:"release,omitempty"`
	SourceLayerHash string `json:"sourceLayerHash,omitempty"`
	Version         string `json:"version,omitempty"`
}

// Recommendation is a finding's remediation advice.
type Recommendation struct {
	Text string `json:"text,omitempty"`
	URL  string `json:"url,omitempty"`
}

// isIndexType reports whether mt is an image index / manifest list.
func isIndexType(mt string) bool {
	return mt == MediaTypeOCIIndex || mt == MediaTypeDockerManifestList
}

// isContainerImage reports whether img is a runnable image manifest rather
// than an index or a referrer artifact.
func isContainerImage(img *Image) bool {
	if isIndexType(img.ManifestMediaType) || img.SubjectDigest != "" {
		return false
	}
	return img.ArtifactMediaType == MediaTypeOCIConfig || img.ArtifactMediaType == MediaTypeDockerConfig
}

// hashHex is a deterministic hex string derived from parts.
func hashHex(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

type descriptor struct {
	MediaType    string            `json:"mediaType"`
	ArtifactType string            `json:"artifactType,omitempty"`
	Digest       string            `json:"digest"`
	Size         int64             `json:"size"`
	Platform     *Platform         `json:"platform,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
}

type manifestDoc struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	ArtifactType  string            `json:"artifactType,omitempty"`
	Config        *descriptor       `json:"config,omitempty"`
	Layers        []descriptor      `json:"layers,omitempty"`
	Manifests     []descriptor      `json:"manifests,omitempty"`
	Subject       *descriptor       `json:"subject,omitempty"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// buildManifest generates a deterministic, well-formed manifest for img.
// children are the index entries (already stored), subject the referred
// manifest when known.
func buildManifest(img *Image, children []descriptor, subject *descriptor) string {
	key := hashHex(img.Digest, strings.Join(img.Tags, ","), img.PushedAt.UTC().Format(time.RFC3339Nano),
		img.ManifestMediaType, img.ArtifactMediaType, img.SubjectDigest, fmt.Sprint(img.Platform))
	doc := manifestDoc{SchemaVersion: 2, MediaType: img.ManifestMediaType,
		Annotations: map[string]string{
			"org.opencontainers.image.created": img.PushedAt.UTC().Format(time.RFC3339),
			"dev.ecremu.seed":                  key[:16],
		}}
	if isIndexType(img.ManifestMediaType) {
		doc.Manifests = children
		if doc.Manifests == nil {
			doc.Manifests = []descriptor{}
		}
	} else {
		layerType := mediaTypeOCILayer
		if img.ManifestMediaType == MediaTypeDockerManifest {
			layerType = mediaTypeDockerLayer
			doc.Annotations = nil
		}
		doc.Config = &descriptor{MediaType: img.ArtifactMediaType,
			Digest: "sha256:" + hashHex("config", key), Size: 1469}
		doc.Layers = []descriptor{{MediaType: layerType,
			Digest: "sha256:" + hashHex("layer", key), Size: img.SizeInBytes}}
		if img.SubjectDigest != "" {
			doc.ArtifactType = img.ArtifactMediaType
			doc.Subject = subject
		}
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

func sha256Digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// defaultSize is a deterministic plausible size (10 to 100 MiB).
func defaultSize(seed string) int64 {
	sum := sha256.Sum256([]byte(seed))
	return defaultImageSize + int64(binary.BigEndian.Uint32(sum[:4])%(90<<20))
}

// copyImage deep-copies an Image so stored state never aliases callers'.
func copyImage(img Image) Image {
	out := img
	out.Tags = slices.Clone(img.Tags)
	if img.Platform != nil {
		p := *img.Platform
		out.Platform = &p
	}
	out.Manifests = nil
	if img.Scan != nil {
		sc := *img.Scan
		sc.SeverityCounts = maps.Clone(sc.SeverityCounts)
		sc.Findings = slices.Clone(sc.Findings)
		sc.EnhancedFindings = slices.Clone(sc.EnhancedFindings)
		out.Scan = &sc
	}
	return out
}

// severityCounts returns the counts to answer, or nil to omit them.
func (sc *Scan) severityCounts() map[string]int32 {
	if sc.SeverityCounts != nil {
		return sc.SeverityCounts
	}
	if len(sc.Findings) == 0 && len(sc.EnhancedFindings) == 0 {
		return nil
	}
	counts := map[string]int32{}
	for _, f := range sc.Findings {
		counts[severityOrUndefined(f.Severity)]++
	}
	for _, f := range sc.EnhancedFindings {
		counts[severityOrUndefined(f.Severity)]++
	}
	return counts
}

func severityOrUndefined(s string) string {
	if s == "" {
		return "UNDEFINED"
	}
	return s
}
