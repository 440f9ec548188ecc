package ecremu

import (
	"strconv"
	"time"
)

// Scan operations: DescribeImageScanFindings and StartImageScan.

type imageScanIn struct {
	RegistryID     *string    `json:"registryId"`
	RepositoryName *string    `json:"repositoryName"`
	ImageID        *imageIDIn `json:"imageId"`
	NextToken      *string    `json:"nextToken"`
	MaxResults     *int32     `json:"maxResults"`
}

func (in *imageScanIn) repoName() string { return deref(in.RepositoryName) }

type wireScanFindings struct {
	ImageScanCompletedAt         *epochTime            `json:"imageScanCompletedAt,omitempty"`
	VulnerabilitySourceUpdatedAt *epochTime            `json:"vulnerabilitySourceUpdatedAt,omitempty"`
	FindingSeverityCounts        map[string]int32      `json:"findingSeverityCounts,omitzero"`
	Findings                     []Finding             `json:"findings,omitzero"`
	EnhancedFindings             []wireEnhancedFinding `json:"enhancedFindings,omitzero"`
}

type describeScanFindingsOut struct {
	RegistryID        string            `json:"registryId"`
	RepositoryName    string            `json:"repositoryName"`
	ImageID           wireImageID       `json:"imageId"`
	ImageScanStatus   *wireScanStatus   `json:"imageScanStatus,omitempty"`
	ImageScanFindings *wireScanFindings `json:"imageScanFindings,omitempty"`
	NextToken         string            `json:"nextToken,omitempty"`
}

// findImageForScan validates the common members and resolves the image.
func (s *Server) findImageForScan(c *call, in *imageScanIn) (*repo, *storedImage, *apiError) {
	var v violations
	v.checkRegistryID(in.RegistryID)
	v.checkRepoName("repositoryName", in.RepositoryName, true)
	if in.ImageID == nil {
		v.add("imageId", "null", "Member must not be null")
	} else {
		v.checkImageID("imageId", *in.ImageID)
	}
	v.checkMaxResults(in.MaxResults, 1000)
	v.checkNextToken(in.NextToken)
	if e := v.err(styleInvalidParameter); e != nil {
		return nil, nil, e
	}
	r, aerr := s.findRepo(c, in.RegistryID, *in.RepositoryName)
	if aerr != nil {
		return nil, nil, aerr
	}
	si, aerr := r.findImage(c, *in.ImageID)
	if aerr != nil {
		return nil, nil, aerr
	}
	return r, si, nil
}

// describeImageScanFindings pages basic findings then enhanced findings
// together: maxResults bounds their sum.
func (s *Server) describeImageScanFindings(c *call, in *imageScanIn) (any, *apiError) {
	r, si, aerr := s.findImageForScan(c, in)
	if aerr != nil {
		return nil, aerr
	}
	sc := si.img.Scan
	if sc == nil {
		return nil, newAPIError(codeScanNotFound,
			"Image scan does not exist for the image with '%s' in the repository with name '%s' "+
				"in the registry with id '%s'",
			in.ImageID.describe(), r.name, c.account)
	}
	out := describeScanFindingsOut{RegistryID: c.account, RepositoryName: r.name,
		ImageID:         wireImageID{ImageDigest: si.img.Digest, ImageTag: deref(in.ImageID.ImageTag)},
		ImageScanStatus: wireStatus(sc)}
	scope := r.name + "|" + si.img.Digest
	start := 0
	if in.NextToken != nil {
		key, ok := decodeToken(*in.NextToken, c.op, c.region, scope)
		n, err := strconv.Atoi(key)
		if !ok || err != nil || n < 0 {
			return nil, errBadToken(styleInvalidParameter)
		}
		start = n
	}
	nb, ne := len(sc.Findings), len(sc.EnhancedFindings)
	total := nb + ne
	start = min(start, total)
	end := min(start+pageLimit(in.MaxResults), total)
	f := &wireScanFindings{ImageScanCompletedAt: epochPtr(sc.CompletedAt),
		VulnerabilitySourceUpdatedAt: epochPtr(sc.VulnerabilitySourceUpdatedAt),
		FindingSeverityCounts:        sc.severityCounts()}
	if sc.Findings != nil {
		f.Findings = sc.Findings[min(start, nb):min(end, nb)] // never changed in place
	}
	if sc.EnhancedFindings != nil {
		f.EnhancedFindings = []wireEnhancedFinding{}
		for i := max(start, nb); i < end; i++ {
			f.EnhancedFindings = append(f.EnhancedFindings,
				wireEnhanced(c, r.name, si, i-nb, sc.EnhancedFindings[i-nb]))
		}
	}
	// A scan with no results at all (FAILED, PENDING, ...) answers no
	// imageScanFindings member.
	if f.ImageScanCompletedAt != nil || f.VulnerabilitySourceUpdatedAt != nil ||
		f.FindingSeverityCounts != nil || f.Findings != nil || f.EnhancedFindings != nil {
		out.ImageScanFindings = f
	}
	if end < total {
		out.NextToken = encodeToken(c.op, c.region, scope, strconv.Itoa(end))
	}
	return out, nil
}

type startImageScanOut struct {
	RegistryID      string          `json:"registryId"`
	RepositoryName  string          `json:"repositoryName"`
	ImageID         wireImageID     `json:"imageId"`
	ImageScanStatus *wireScanStatus `json:"imageScanStatus"`
}

// startImageScan runs a basic scan. The emulator has no scanner: the scan
// completes at once, keeping the image's seeded findings (or none). ECR
// allows one scan per image per 24 hours, the scan on push included.
func (s *Server) startImageScan(c *call, in *imageScanIn) (any, *apiError) {
	in.MaxResults, in.NextToken = nil, nil // not members of this operation
	r, si, aerr := s.findImageForScan(c, in)
	if aerr != nil {
		return nil, aerr
	}
	if s.readRegion(c.region).scanning.ScanType == ScanTypeEnhanced {
		return nil, newAPIError(codeValidation, "This feature is disabled")
	}
	if !isContainerImage(&si.img) {
		return nil, newAPIError(codeUnsupportedImageType,
			"The operation is not supported for an image with manifest media type '%s' and artifact media type '%s'",
			si.img.ManifestMediaType, si.img.ArtifactMediaType)
	}
	now := s.now()
	last := si.lastScanStart
	if sc := si.img.Scan; sc != nil && sc.CompletedAt.After(last) {
		last = sc.CompletedAt
	}
	if !last.IsZero() && now.Sub(last) < 24*time.Hour {
		return nil, newAPIError(codeLimitExceeded,
			"The scan quota per image has been exceeded. Wait and try again.")
	}
	si.lastScanStart = now
	next := &Scan{Status: "COMPLETE", CompletedAt: now, VulnerabilitySourceUpdatedAt: now}
	if prev := si.img.Scan; prev != nil {
		next.Findings, next.SeverityCounts = prev.Findings, prev.SeverityCounts
	}
	if next.Findings == nil {
		next.Findings = []Finding{}
	}
	if next.SeverityCounts == nil && len(next.Findings) == 0 {
		next.SeverityCounts = map[string]int32{}
	}
	si.img.Scan = next
	return startImageScanOut{RegistryID: c.account, RepositoryName: r.name,
		ImageID:         wireImageID{ImageDigest: si.img.Digest, ImageTag: deref(in.ImageID.ImageTag)},
		ImageScanStatus: &wireScanStatus{Status: "IN_PROGRESS"}}, nil
}
