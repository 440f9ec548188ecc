package ecremu

import "fmt"

// Registry-level operations: DescribeRegistry, Get/PutRegistryScanning-
// Configuration and BatchGetRepositoryScanningConfiguration.

type emptyIn struct{}

type describeRegistryOut struct {
	RegistryID               string `json:"registryId"`
	ReplicationConfiguration struct {
		Rules []struct{} `json:"rules"`
	} `json:"replicationConfiguration"`
}

func (s *Server) describeRegistry(c *call, _ *emptyIn) (any, *apiError) {
	out := describeRegistryOut{RegistryID: c.account}
	out.ReplicationConfiguration.Rules = []struct{}{}
	return out, nil
}

type getRegistryScanningOut struct {
	RegistryID            string                `json:"registryId"`
	ScanningConfiguration ScanningConfiguration `json:"scanningConfiguration"`
}

func (s *Server) getRegistryScanning(c *call, _ *emptyIn) (any, *apiError) {
	return getRegistryScanningOut{RegistryID: c.account,
		ScanningConfiguration: s.readRegion(c.region).scanning.clone()}, nil
}

type putRegistryScanningOut struct {
	RegistryScanningConfiguration ScanningConfiguration `json:"registryScanningConfiguration"`
}

// putRegistryScanning replaces the Region's whole configuration.
func (s *Server) putRegistryScanning(c *call, in *scanningIn) (any, *apiError) {
	cfg, aerr := validateScanning(in)
	if aerr != nil {
		return nil, aerr
	}
	s.writeRegion(c.region).scanning = cfg
	return putRegistryScanningOut{RegistryScanningConfiguration: cfg.clone()}, nil
}

type batchGetRepoScanningIn struct {
	RepositoryNames []string `json:"repositoryNames"`
}

type repoScanningConfig struct {
	RepositoryArn      string             `json:"repositoryArn"`
	RepositoryName     string             `json:"repositoryName"`
	ScanOnPush         bool               `json:"scanOnPush"`
	ScanFrequency      string             `json:"scanFrequency"`
	AppliedScanFilters []RepositoryFilter `json:"appliedScanFilters"`
}

type repoScanningFailure struct {
	RepositoryName string `json:"repositoryName"`
	FailureCode    string `json:"failureCode"`
	FailureReason  string `json:"failureReason"`
}

type batchGetRepoScanningOut struct {
	ScanningConfigurations []repoScanningConfig  `json:"scanningConfigurations"`
	Failures               []repoScanningFailure `json:"failures"`
}

func (in *batchGetRepoScanningIn) repoName() string {
	if len(in.RepositoryNames) > 0 {
		return in.RepositoryNames[0]
	}
	return ""
}

// batchGetRepoScanning answers each repository's effective scanning, in
// request order (duplicates answered once), and failures for missing ones.
func (s *Server) batchGetRepoScanning(c *call, in *batchGetRepoScanningIn) (any, *apiError) {
	var v violations
	if in.RepositoryNames == nil {
		v.add("repositoryNames", "null", "Member must not be null")
	}
	v.checkListLen("repositoryNames", len(in.RepositoryNames), 1, 25, in.RepositoryNames != nil)
	for i, n := range in.RepositoryNames {
		v.checkRepoNameValue(fmt.Sprintf("repositoryNames.%d.member", i+1), n)
	}
	if e := v.err(styleValidation); e != nil {
		return nil, e
	}
	rs := s.readRegion(c.region)
	out := batchGetRepoScanningOut{ScanningConfigurations: []repoScanningConfig{},
		Failures: []repoScanningFailure{}}
	seen := map[string]bool{}
	for _, name := range in.RepositoryNames {
		if seen[name] {
			continue
		}
		seen[name] = true
		r, ok := rs.repos[name]
		if !ok {
			out.Failures = append(out.Failures, repoScanningFailure{RepositoryName: name,
				FailureCode: "REPOSITORY_NOT_FOUND", FailureReason: errRepoNotFound(name, c.account).Message})
			continue
		}
		freq, applied := effectiveScanning(rs.scanning, name, r.scanOnPush, s.legacyBasic)
		out.ScanningConfigurations = append(out.ScanningConfigurations, repoScanningConfig{
			RepositoryArn: repoARN(c.region, c.account, name), RepositoryName: name,
			ScanOnPush: freq == FrequencyScanOnPush, ScanFrequency: freq, AppliedScanFilters: applied})
	}
	return out, nil
}
