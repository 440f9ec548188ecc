package ecremu

import (
	"fmt"
	"slices"
)

// Wire shapes of ECR answers (JSON 1.1 member names, epoch timestamps).

type wireScanOnPush struct {
	ScanOnPush bool `json:"scanOnPush"`
}

type wireEncryption struct {
	EncryptionType string `json:"encryptionType"`
	KmsKey         string `json:"kmsKey,omitempty"`
}

type wireRepository struct {
	RepositoryArn              string         `json:"repositoryArn"`
	RegistryID                 string         `json:"registryId"`
	RepositoryName             string         `json:"repositoryName"`
	RepositoryURI              string         `json:"repositoryUri"`
	CreatedAt                  epochTime      `json:"createdAt"`
	ImageTagMutability         string         `json:"imageTagMutability"`
	ImageScanningConfiguration wireScanOnPush `json:"imageScanningConfiguration"`
	EncryptionConfiguration    wireEncryption `json:"encryptionConfiguration"`
}

func wireRepo(c *call, r *repo) wireRepository {
	return wireRepository{
		RepositoryArn:              repoARN(c.region, c.account, r.name),
		RegistryID:                 c.account,
		RepositoryName:             r.name,
		RepositoryURI:              repoURI(c.region, c.account, r.name),
		CreatedAt:                  epoch(r.createdAt),
		ImageTagMutability:         r.tagMutability,
		ImageScanningConfiguration: wireScanOnPush{ScanOnPush: r.scanOnPush},
		EncryptionConfiguration:    wireEncryption{EncryptionType: r.encType, KmsKey: r.kmsKey},
	}
}

type wireImageID struct {
	ImageDigest string `json:"imageDigest,omitempty"`
	ImageTag    string `json:"imageTag,omitempty"`
}

type wireScanStatus struct {
	Status      string `json:"status"`
	Description string `json:"description,omitempty"`
}

type wireFindingsSummary struct {
	ImageScanCompletedAt         *epochTime       `json:"imageScanCompletedAt,omitempty"`
	VulnerabilitySourceUpdatedAt *epochTime       `json:"vulnerabilitySourceUpdatedAt,omitempty"`
	FindingSeverityCounts        map[string]int32 `json:"findingSeverityCounts,omitzero"`
}

type wireImageDetail struct {
	RegistryID               string               `json:"registryId"`
	RepositoryName           string               `json:"repositoryName"`
	ImageDigest              string               `json:"imageDigest"`
	ImageTags                []string             `json:"imageTags,omitempty"`
	ImageSizeInBytes         int64                `json:"imageSizeInBytes"`
	ImagePushedAt            epochTime            `json:"imagePushedAt"`
	ImageManifestMediaType   string               `json:"imageManifestMediaType,omitempty"`
	ArtifactMediaType        string               `json:"artifactMediaType,omitempty"`
	SubjectManifestDigest    string               `json:"subjectManifestDigest,omitempty"`
	ImageStatus              string               `json:"imageStatus,omitempty"`
	ImageScanStatus          *wireScanStatus      `json:"imageScanStatus,omitempty"`
	ImageScanFindingsSummary *wireFindingsSummary `json:"imageScanFindingsSummary,omitempty"`
}

// defaultScanDescriptions are ECR's descriptions of settled states.
var defaultScanDescriptions = map[string]string{
	"COMPLETE": "The scan was completed successfully.",
	"ACTIVE":   "Continuous scan is selected for image.",
}

func wireStatus(sc *Scan) *wireScanStatus {
	if sc == nil {
		return nil
	}
	d := sc.Description
	if d == "" {
		d = defaultScanDescriptions[sc.Status]
	}
	return &wireScanStatus{Status: sc.Status, Description: d}
}

// summary is DescribeImages' imageScanFindingsSummary: present once a scan
// produced results, unless the seed omits it.
func summary(sc *Scan) *wireFindingsSummary {
	if sc == nil || sc.OmitSummary {
		return nil
	}
	counts := sc.severityCounts()
	if sc.CompletedAt.IsZero() && counts == nil {
		return nil
	}
	return &wireFindingsSummary{ImageScanCompletedAt: epochPtr(sc.CompletedAt),
		VulnerabilitySourceUpdatedAt: epochPtr(sc.VulnerabilitySourceUpdatedAt), FindingSeverityCounts: counts}
}

// wireDetail copies the tags: answers are encoded after the state lock is
// released, and tagging edits a stored image's tag list in place.
func wireDetail(c *call, repoName string, si *storedImage) wireImageDetail {
	img := &si.img
	return wireImageDetail{
		RegistryID: c.account, RepositoryName: repoName, ImageDigest: img.Digest,
		ImageTags: slices.Clone(img.Tags), ImageSizeInBytes: img.SizeInBytes, ImagePushedAt: epoch(img.PushedAt),
		ImageManifestMediaType: img.ManifestMediaType, ArtifactMediaType: img.ArtifactMediaType,
		SubjectManifestDigest: img.SubjectDigest, ImageStatus: "ACTIVE",
		ImageScanStatus: wireStatus(img.Scan), ImageScanFindingsSummary: summary(img.Scan),
	}
}

type wirePackageDetails struct {
	VulnerabilityID        string              `json:"vulnerabilityId,omitempty"`
	Source                 string              `json:"source,omitempty"`
	SourceURL              string              `json:"sourceUrl,omitempty"`
	VendorSeverity         string              `json:"vendorSeverity,omitempty"`
	VendorCreatedAt        *epochTime          `json:"vendorCreatedAt,omitempty"`
	VendorUpdatedAt        *epochTime          `json:"vendorUpdatedAt,omitempty"`
	ReferenceURLs          []string            `json:"referenceUrls,omitempty"`
	RelatedVulnerabilities []string            `json:"relatedVulnerabilities,omitempty"`
	CVSS                   []CVSSScore         `json:"cvss,omitempty"`
	VulnerablePackages     []VulnerablePackage `json:"vulnerablePackages,omitempty"`
}

type wireRemediation struct {
	Recommendation *Recommendation `json:"recommendation,omitempty"`
}

type wireEcrImageDetails struct {
	Registry       string     `json:"registry"`
	RepositoryName string     `json:"repositoryName"`
	ImageHash      string     `json:"imageHash"`
	ImageTags      []string   `json:"imageTags,omitempty"`
	PushedAt       *epochTime `json:"pushedAt,omitempty"`
	Architecture   string     `json:"architecture,omitempty"`
	Platform       string     `json:"platform,omitempty"`
}

type wireResource struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Details struct {
		AwsEcrContainerImage wireEcrImageDetails `json:"awsEcrContainerImage"`
	} `json:"details"`
}

type wireEnhancedFinding struct {
	AwsAccountID                string              `json:"awsAccountId"`
	Description                 string              `json:"description,omitempty"`
	FindingArn                  string              `json:"findingArn"`
	FirstObservedAt             *epochTime          `json:"firstObservedAt,omitempty"`
	LastObservedAt              *epochTime          `json:"lastObservedAt,omitempty"`
	UpdatedAt                   *epochTime          `json:"updatedAt,omitempty"`
	PackageVulnerabilityDetails *wirePackageDetails `json:"packageVulnerabilityDetails,omitempty"`
	Remediation                 *wireRemediation    `json:"remediation,omitempty"`
	Resources                   []wireResource      `json:"resources"`
	Score                       float64             `json:"score,omitempty"`
	Severity                    string              `json:"severity,omitempty"`
	Status                      string              `json:"status"`
	Title                       string              `json:"title,omitempty"`
	Type                        string              `json:"type"`
	FixAvailable                string              `json:"fixAvailable,omitempty"`
	ExploitAvailable            string              `json:"exploitAvailable,omitempty"`
}

// wireEnhanced renders an Inspector finding, filling the members Inspector
// always sets (account, ARN, status, type, the image resource).
func wireEnhanced(c *call, repoName string, si *storedImage, i int,
	f EnhancedFinding) wireEnhancedFinding {
	out := wireEnhancedFinding{AwsAccountID: f.AwsAccountID, Description: f.Description,
		FindingArn: f.FindingArn, FirstObservedAt: epochPtr(f.FirstObservedAt),
		LastObservedAt: epochPtr(f.LastObservedAt), UpdatedAt: epochPtr(f.UpdatedAt),
		Score: f.Score, Severity: f.Severity, Status: f.Status, Title: f.Title, Type: f.Type,
		FixAvailable: f.FixAvailable, ExploitAvailable: f.ExploitAvailable}
	if out.AwsAccountID == "" {
		out.AwsAccountID = c.account
	}
	if out.FindingArn == "" {
		out.FindingArn = fmt.Sprintf("arn:aws:inspector2:%s:%s:finding/%s", c.region, c.account,
			hashHex(repoName, si.img.Digest, fmt.Sprint(i))[:32])
	}
	if out.Status == "" {
		out.Status = "ACTIVE"
	}
	if out.Type == "" {
		out.Type = "PACKAGE_VULNERABILITY"
	}
	if p := f.PackageVulnerabilityDetails; p != nil {
		out.PackageVulnerabilityDetails = &wirePackageDetails{VulnerabilityID: p.VulnerabilityID, Source: p.Source,
			SourceURL: p.SourceURL, VendorSeverity: p.VendorSeverity, VendorCreatedAt: epochPtr(p.VendorCreatedAt),
			VendorUpdatedAt: epochPtr(p.VendorUpdatedAt), ReferenceURLs: p.ReferenceURLs,
			RelatedVulnerabilities: p.RelatedVulnerabilities, CVSS: p.CVSS, VulnerablePackages: p.VulnerablePackages}
		if out.Title == "" {
			out.Title = p.VulnerabilityID
		}
	}
	if f.Remediation != nil {
		out.Remediation = &wireRemediation{Recommendation: f.Remediation}
	}
	res := wireResource{ID: repoARN(c.region, c.account, repoName) + "/" + si.img.Digest,
		Type: "AWS_ECR_CONTAINER_IMAGE"}
	res.Details.AwsEcrContainerImage = wireEcrImageDetails{Registry: c.account, RepositoryName: repoName,
		ImageHash: si.img.Digest, ImageTags: slices.Clone(si.img.Tags), PushedAt: epochPtr(si.img.PushedAt)}
	if p := si.img.Platform; p != nil {
		res.Details.AwsEcrContainerImage.Architecture = p.Architecture
		res.Details.AwsEcrContainerImage.Platform = p.OS
	}
	out.Resources = []wireResource{res}
	return out
}
