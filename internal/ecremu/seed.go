package ecremu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"time"
)

// Seed is the seed file format (see the package documentation).
type Seed struct {
	Account                   string                `json:"account,omitempty"`
	LegacyFlagScansUnderBasic *bool                 `json:"legacyFlagScansUnderBasic,omitempty"`
	Regions                   map[string]RegionSeed `json:"regions"`
}

// RegionSeed seeds one Region.
type RegionSeed struct {
	ScanningConfiguration *ScanningConfiguration `json:"scanningConfiguration,omitempty"`
	Repositories          []RepositorySeed       `json:"repositories,omitempty"`
	Synthetic             *SyntheticConfig       `json:"synthetic,omitempty"`
}

// RepositorySeed seeds one repository and its images.
type RepositorySeed struct {
	Name               string    `json:"name"`
	CreatedAt          time.Time `json:"createdAt,omitzero"`
	ScanOnPush         bool      `json:"scanOnPush,omitempty"`
	ImageTagMutability string    `json:"imageTagMutability,omitempty"`
	Images             []Image   `json:"images,omitempty"`
}

// SyntheticConfig shapes SeedSynthetic's generated repositories.
type SyntheticConfig struct {
	// Count is the number of repositories (seed files; SeedSynthetic's n
	// argument wins when positive).
	Count int `json:"count,omitempty"`
	// Prefix of the last name segment; default "svc".
	Prefix string `json:"prefix,omitempty"`
	// Groups are the first name segments, used in turn; default prod,
	// staging, dev, shared, data.
	Groups []string `json:"groups,omitempty"`
	// ScanOnPushEvery turns the legacy flag on for every k-th repository
	// (default 3; negative: never).
	ScanOnPushEvery int `json:"scanOnPushEvery,omitempty"`
	// ImagesPerRepository images are pushed to each repository (default 0).
	ImagesPerRepository int `json:"imagesPerRepository,omitempty"`
}

// LoadSeedFile applies a seed file.
func (s *Server) LoadSeedFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return s.LoadSeed(bytes.NewReader(b))
}

// LoadSeed decodes a seed document (unknown members are errors, to catch
// typos) and applies it.
func (s *Server) LoadSeed(r io.Reader) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var sd Seed
	if err := dec.Decode(&sd); err != nil {
		return fmt.Errorf("ecremu: seed: %w", err)
	}
	return s.ApplySeed(sd)
}

// ApplySeed adds a seed's state to the server: existing repositories of the
// same name are replaced, scanning configurations replaced when given.
func (s *Server) ApplySeed(sd Seed) error {
	if sd.Account != "" {
		if err := s.SetAccount(sd.Account); err != nil {
			return err
		}
	}
	if sd.LegacyFlagScansUnderBasic != nil {
		s.SetLegacyFlagScansUnderBasic(*sd.LegacyFlagScansUnderBasic)
	}
	regions := make([]string, 0, len(sd.Regions))
	for r := range sd.Regions {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	for _, region := range regions {
		rsd := sd.Regions[region]
		if !validRegionName(region) {
			return fmt.Errorf("ecremu: seed: invalid region %q", region)
		}
		if c := rsd.ScanningConfiguration; c != nil {
			if err := s.SetRegistryScanning(region, c.ScanType, c.Rules); err != nil {
				return fmt.Errorf("ecremu: seed %s: %w", region, err)
			}
		}
		for _, rp := range rsd.Repositories {
			if err := s.seedRepository(region, rp); err != nil {
				return fmt.Errorf("ecremu: seed %s: %w", region, err)
			}
		}
		if syn := rsd.Synthetic; syn != nil {
			if _, err := s.SeedSynthetic(region, syn.Count, *syn); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Server) seedRepository(region string, rp RepositorySeed) error {
	if !validRepositoryName(rp.Name) {
		return fmt.Errorf("invalid repository name %q", rp.Name)
	}
	if rp.ImageTagMutability != "" && !slices.Contains(tagMutabilities, rp.ImageTagMutability) {
		return fmt.Errorf("repository %s: invalid imageTagMutability %q", rp.Name, rp.ImageTagMutability)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	created := rp.CreatedAt
	if created.IsZero() {
		created = s.now()
	}
	r := newRepo(rp.Name, created, rp.ScanOnPush)
	if rp.ImageTagMutability != "" {
		r.tagMutability = rp.ImageTagMutability
	}
	for i, img := range rp.Images {
		if _, err := s.putImageLocked(r, img, time.Time{}, 0); err != nil {
			return fmt.Errorf("repository %s image %d: %w", rp.Name, i, err)
		}
	}
	s.writeRegion(region).addRepo(r)
	return nil
}

// syntheticEpoch anchors generated timestamps, so runs are reproducible.
var syntheticEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// SeedSynthetic creates n repositories named GROUP/PREFIX-NNNNN with a
// deterministic mix of legacy flags (and images, when asked), skipping
// names that exist. It returns the names created, sorted. The name index is
// rebuilt once, so 10,000 repositories take milliseconds.
func (s *Server) SeedSynthetic(region string, n int, cfg SyntheticConfig) ([]string, error) {
	if n <= 0 {
		n = cfg.Count
	}
	prefix := cfg.Prefix
	if prefix == "" {
		prefix = "svc"
	}
	groups := cfg.Groups
	if len(groups) == 0 {
		groups = []string{"prod", "staging", "dev", "shared", "data"}
	}
	every := cfg.ScanOnPushEvery
	if every == 0 {
		every = 3
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.writeRegion(region)
	created := make([]string, 0, n)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%s/%s-%05d", groups[i%len(groups)], prefix, i)
		if !validRepositoryName(name) {
			return nil, fmt.Errorf("ecremu: synthetic name %q is invalid", name)
		}
		if _, ok := rs.repos[name]; ok {
			continue
		}
		r := newRepo(name, syntheticEpoch.Add(time.Duration(i)*time.Second), every > 0 && i%every == 0)
		for j := 0; j < cfg.ImagesPerRepository; j++ {
			img := syntheticImage(i, j, cfg.ImagesPerRepository)
			if _, err := s.putImageLocked(r, img, time.Time{}, 0); err != nil {
				return nil, err
			}
		}
		rs.repos[name] = r
		created = append(created, name)
	}
	rs.names = append(rs.names, created...)
	slices.Sort(rs.names)
	rs.names = slices.Compact(rs.names)
	slices.Sort(created)
	return created, nil
}

// syntheticImage is image j of repository i: a mix of clean, vulnerable,
// never-scanned and unsupported images; the newest is tagged latest.
func syntheticImage(i, j, count int) Image {
	pushed := syntheticEpoch.Add(time.Duration(i)*time.Minute + time.Duration(j)*time.Hour)
	img := Image{Tags: []string{fmt.Sprintf("v%d", j+1)}, PushedAt: pushed}
	if j == count-1 {
		img.Tags = append(img.Tags, "latest")
	}
	done := pushed.Add(2 * time.Minute)
	switch (i + j) % 4 {
	case 0:
		img.Scan = &Scan{Status: "COMPLETE", CompletedAt: done, SeverityCounts: map[string]int32{}}
	case 1:
		img.Scan = &Scan{Status: "COMPLETE", CompletedAt: done, SeverityCounts: map[string]int32{
			"HIGH": int32(i%3 + 1), "MEDIUM": 2, "LOW": int32(j % 2)}}
	case 2: // never scanned
	case 3:
		img.Scan = &Scan{Status: "FAILED", Description: "UnsupportedImageError: " +
			"The operating system and/or package manager are not supported."}
	}
	return img
}
