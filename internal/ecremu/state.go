package ecremu

import (
	"fmt"
	"slices"
	"time"
)

// regionState is one Region's registry.
type regionState struct {
	scanning ScanningConfiguration
	repos    map[string]*repo
	names    []string // sorted repository names, for paging without rescans
}

// repo is a stored repository.
type repo struct {
	name          string
	createdAt     time.Time
	scanOnPush    bool
	tagMutability string
	encType       string
	kmsKey        string
	images        map[string]*storedImage // by digest
	tags          map[string]string       // tag -> digest
}

// storedImage is an image in a repository.
type storedImage struct {
	img           Image // normalised; Tags kept in sync with repo.tags
	manifest      string
	children      []string // platform image digests of an index
	lastScanStart time.Time
}

func newRegionState() *regionState {
	return &regionState{scanning: defaultScanning(), repos: map[string]*repo{}}
}

// emptyRegion answers reads for Regions never written; it is never mutated.
var emptyRegion = newRegionState()

func newRepo(name string, createdAt time.Time, scanOnPush bool) *repo {
	return &repo{name: name, createdAt: createdAt, scanOnPush: scanOnPush, tagMutability: "MUTABLE",
		encType: "AES256", images: map[string]*storedImage{}, tags: map[string]string{}}
}

func (rs *regionState) addRepo(r *repo) {
	rs.repos[r.name] = r
	i, found := slices.BinarySearch(rs.names, r.name)
	if !found {
		rs.names = slices.Insert(rs.names, i, r.name)
	}
}

func (rs *regionState) removeRepo(name string) {
	delete(rs.repos, name)
	if i, found := slices.BinarySearch(rs.names, name); found {
		rs.names = slices.Delete(rs.names, i, i+1)
	}
}

// readRegion returns a Region's state for reading; callers hold s.mu.
func (s *Server) readRegion(region string) *regionState {
	if rs, ok := s.regions[normRegion(region)]; ok {
		return rs
	}
	return emptyRegion
}

// writeRegion returns a Region's state, creating it; callers hold s.mu.Lock.
func (s *Server) writeRegion(region string) *regionState {
	region = normRegion(region)
	rs, ok := s.regions[region]
	if !ok {
		rs = newRegionState()
		s.regions[region] = rs
	}
	return rs
}

func normRegion(region string) string {
	if region == "" {
		return DefaultRegion
	}
	return region
}

// repoARN is a repository's ARN; name "*" gives the ARN pattern of every
// repository of the registry.
func repoARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", normRegion(region), account, name)
}

func repoURI(region, account, name string) string {
	return fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", account, normRegion(region), name)
}

// lookupRepo finds a repository for the Go helpers, which report a missing
// one as an error; callers hold s.mu. A Region never written has none.
func (s *Server) lookupRepo(region, name string) (*regionState, *repo, error) {
	rs := s.readRegion(region)
	r, ok := rs.repos[name]
	if !ok {
		return nil, nil, fmt.Errorf("ecremu: repository %q not found in %s", name, normRegion(region))
	}
	return rs, r, nil
}

// Repository is a read-back view of a stored repository.
type Repository struct {
	Name               string
	ARN                string
	URI                string
	CreatedAt          time.Time
	ScanOnPush         bool // the legacy repository-level flag
	ImageTagMutability string
	EncryptionType     string
	ImageCount         int
}

func (s *Server) repoView(region string, r *repo) Repository {
	return Repository{Name: r.name, ARN: repoARN(region, s.account, r.name),
		URI: repoURI(region, s.account, r.name), CreatedAt: r.createdAt, ScanOnPush: r.scanOnPush,
		ImageTagMutability: r.tagMutability, EncryptionType: r.encType, ImageCount: len(r.images)}
}

// CreateRepository creates a repository with the legacy scanOnPush flag.
func (s *Server) CreateRepository(region, name string, scanOnPush bool) error {
	if !validRepositoryName(name) {
		return fmt.Errorf("ecremu: invalid repository name %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.writeRegion(region)
	if _, ok := rs.repos[name]; ok {
		return fmt.Errorf("ecremu: repository %q already exists in %s", name, normRegion(region))
	}
	rs.addRepo(newRepo(name, s.now(), scanOnPush))
	return nil
}

// DeleteRepository deletes a repository and its images.
func (s *Server) DeleteRepository(region, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs, _, err := s.lookupRepo(region, name)
	if err != nil {
		return err
	}
	rs.removeRepo(name)
	return nil
}

// SetRepositoryScanOnPush sets a repository's legacy scanOnPush flag.
func (s *Server) SetRepositoryScanOnPush(region, name string, scanOnPush bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, err := s.lookupRepo(region, name)
	if err != nil {
		return err
	}
	r.scanOnPush = scanOnPush
	return nil
}

// Repository reads back one repository.
func (s *Server) Repository(region, name string) (Repository, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.readRegion(region).repos[name]
	if !ok {
		return Repository{}, false
	}
	return s.repoView(region, r), true
}

// RepositoryNames lists a Region's repository names in sorted order.
func (s *Server) RepositoryNames(region string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.readRegion(region).names)
}

// SetRegistryScanning replaces a Region's registry scanning configuration,
// validated as PutRegistryScanningConfiguration validates it. An empty
// scanType is BASIC; an empty filterType is WILDCARD.
func (s *Server) SetRegistryScanning(region, scanType string, rules []ScanningRule) error {
	cfg, aerr := validateScanning(toScanningIn(scanType, rules))
	if aerr != nil {
		return fmt.Errorf("ecremu: %s", aerr.Message)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeRegion(region).scanning = cfg
	return nil
}

// RegistryScanning reads back a Region's registry scanning configuration.
func (s *Server) RegistryScanning(region string) ScanningConfiguration {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.readRegion(region).scanning.clone()
}

// EffectiveScanning is what BatchGetRepositoryScanningConfiguration answers
// for a repository: its scan frequency and applied filters.
func (s *Server) EffectiveScanning(region, name string) (
	frequency string, applied []RepositoryFilter, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rs := s.readRegion(region)
	r, found := rs.repos[name]
	if !found {
		return "", nil, false
	}
	freq, fs := effectiveScanning(rs.scanning, name, r.scanOnPush, s.legacyBasic)
	return freq, fs, true
}

// ResetState forgets every Region's repositories, images and scanning
// configuration.
func (s *Server) ResetState() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.regions = map[string]*regionState{}
}

// Account is the registry id (AWS account) the server answers for.
func (s *Server) Account() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.account
}

// SetAccount changes the registry id; ARNs and URIs follow it.
func (s *Server) SetAccount(id string) error {
	if !registryIDRE.MatchString(id) {
		return fmt.Errorf("ecremu: account id %q is not 12 digits", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.account = id
	return nil
}

// SetLegacyFlagScansUnderBasic sets whether, under BASIC scanning with no
// matching rule, a repository's legacy scanOnPush flag still yields
// SCAN_ON_PUSH (ECR.md marks this as unconfirmed).
func (s *Server) SetLegacyFlagScansUnderBasic(b bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.legacyBasic = b
}
