package ecremu

import "fmt"

// Repository operations: DescribeRepositories, CreateRepository,
// DeleteRepository and PutImageScanningConfiguration.

type describeReposIn struct {
	RegistryID      *string  `json:"registryId"`
	RepositoryNames []string `json:"repositoryNames"`
	NextToken       *string  `json:"nextToken"`
	MaxResults      *int32   `json:"maxResults"`
}

type describeReposOut struct {
	Repositories []wireRepository `json:"repositories"`
	NextToken    string           `json:"nextToken,omitempty"`
}

func (in *describeReposIn) repoName() string {
	if len(in.RepositoryNames) == 1 {
		return in.RepositoryNames[0]
	}
	return ""
}

func (s *Server) describeRepositories(c *call, in *describeReposIn) (any, *apiError) {
	var v violations
	v.checkRegistryID(in.RegistryID)
	v.checkListLen("repositoryNames", len(in.RepositoryNames), 1, 100, in.RepositoryNames != nil)
	for i, n := range in.RepositoryNames {
		v.checkRepoNameValue(fmt.Sprintf("repositoryNames.%d.member", i+1), n)
	}
	v.checkMaxResults(in.MaxResults, 1000)
	v.checkNextToken(in.NextToken)
	if e := v.err(styleInvalidParameter); e != nil {
		return nil, e
	}
	if in.RepositoryNames != nil && (in.MaxResults != nil || in.NextToken != nil) {
		return nil, newAPIError(codeInvalidParameter,
			"Invalid parameter: maxResults and nextToken cannot be used when repositoryNames is specified")
	}
	rs := s.readRegion(c.region)
	foreign := in.RegistryID != nil && *in.RegistryID != c.account
	out := describeReposOut{Repositories: []wireRepository{}}
	if in.RepositoryNames != nil {
		registry := c.account
		if foreign {
			registry = *in.RegistryID
		}
		seen := map[string]bool{}
		for _, name := range in.RepositoryNames {
			r, ok := rs.repos[name]
			if !ok || foreign {
				return nil, errRepoNotFound(name, registry)
			}
			if !seen[name] {
				seen[name] = true
				out.Repositories = append(out.Repositories, wireRepo(c, r))
			}
		}
		return out, nil
	}
	if foreign {
		return out, nil
	}
	names, next, aerr := pageAfter(c, "", rs.names, in.NextToken, in.MaxResults)
	if aerr != nil {
		return nil, aerr
	}
	for _, name := range names {
		out.Repositories = append(out.Repositories, wireRepo(c, rs.repos[name]))
	}
	out.NextToken = next
	return out, nil
}

type createRepoIn struct {
	RegistryID                 *string `json:"registryId"`
	RepositoryName             *string `json:"repositoryName"`
	ImageTagMutability         *string `json:"imageTagMutability"`
	ImageScanningConfiguration *struct {
		ScanOnPush bool `json:"scanOnPush"`
	} `json:"imageScanningConfiguration"`
	EncryptionConfiguration *struct {
		EncryptionType *string `json:"encryptionType"`
		KmsKey         *string `json:"kmsKey"`
	} `json:"encryptionConfiguration"`
	Tags []struct {
		Key   *string `json:"Key"`
		Value *string `json:"Value"`
	} `json:"tags"`
}

func (in *createRepoIn) repoName() string { return deref(in.RepositoryName) }

// tagMutabilities are the values of imageTagMutability.
var tagMutabilities = []string{
	"MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION",
}

type repositoryOut struct {
	Repository wireRepository `json:"repository"`
}

func (s *Server) createRepository(c *call, in *createRepoIn) (any, *apiError) {
	var v violations
	v.checkRegistryID(in.RegistryID)
	v.checkRepoName("repositoryName", in.RepositoryName, true)
	v.checkEnum("imageTagMutability", in.ImageTagMutability, tagMutabilities...)
	if e := in.EncryptionConfiguration; e != nil {
		if e.EncryptionType == nil {
			v.add("encryptionConfiguration.encryptionType", "null", "Member must not be null")
		}
		v.checkEnum("encryptionConfiguration.encryptionType", e.EncryptionType, "AES256", "KMS", "KMS_DSSE")
	}
	if err := v.err(styleInvalidParameter); err != nil {
		return nil, err
	}
	if in.RegistryID != nil && *in.RegistryID != c.account {
		return nil, newAPIError(codeInvalidParameter,
			"Invalid parameter at 'registryId' failed to satisfy constraint: "+
				"'registryId must be the caller's account %s'", c.account)
	}
	name := *in.RepositoryName
	rs := s.writeRegion(c.region)
	if _, ok := rs.repos[name]; ok {
		return nil, newAPIError(codeRepositoryAlreadyExists,
			"The repository with name '%s' already exists in the registry with id '%s'", name, c.account)
	}
	r := newRepo(name, s.now(), in.ImageScanningConfiguration != nil && in.ImageScanningConfiguration.ScanOnPush)
	if in.ImageTagMutability != nil {
		r.tagMutability = *in.ImageTagMutability
	}
	if e := in.EncryptionConfiguration; e != nil {
		r.encType = *e.EncryptionType
		if e.KmsKey != nil && r.encType != "AES256" {
			r.kmsKey = *e.KmsKey
		} else if r.encType != "AES256" {
			r.kmsKey = fmt.Sprintf("arn:aws:kms:%s:%s:alias/aws/ecr", c.region, c.account)
		}
	}
	rs.addRepo(r)
	return repositoryOut{Repository: wireRepo(c, r)}, nil
}

type deleteRepoIn struct {
	RegistryID     *string `json:"registryId"`
	RepositoryName *string `json:"repositoryName"`
	Force          bool    `json:"force"`
}

func (in *deleteRepoIn) repoName() string { return deref(in.RepositoryName) }

func (s *Server) deleteRepository(c *call, in *deleteRepoIn) (any, *apiError) {
	var v violations
	v.checkRegistryID(in.RegistryID)
	v.checkRepoName("repositoryName", in.RepositoryName, true)
	if e := v.err(styleInvalidParameter); e != nil {
		return nil, e
	}
	r, aerr := s.findRepo(c, in.RegistryID, *in.RepositoryName)
	if aerr != nil {
		return nil, aerr
	}
	if len(r.images) > 0 && !in.Force {
		return nil, newAPIError(codeRepositoryNotEmpty,
			"The repository with name '%s' in registry with id '%s' cannot be deleted "+
				"because it still contains images",
			r.name, c.account)
	}
	out := repositoryOut{Repository: wireRepo(c, r)}
	s.writeRegion(c.region).removeRepo(r.name)
	return out, nil
}

type putImageScanningIn struct {
	RegistryID                 *string `json:"registryId"`
	RepositoryName             *string `json:"repositoryName"`
	ImageScanningConfiguration *struct {
		ScanOnPush bool `json:"scanOnPush"`
	} `json:"imageScanningConfiguration"`
}

func (in *putImageScanningIn) repoName() string { return deref(in.RepositoryName) }

type putImageScanningOut struct {
	RegistryID                 string         `json:"registryId"`
	RepositoryName             string         `json:"repositoryName"`
	ImageScanningConfiguration wireScanOnPush `json:"imageScanningConfiguration"`
}

func (s *Server) putImageScanning(c *call, in *putImageScanningIn) (any, *apiError) {
	var v violations
	v.checkRegistryID(in.RegistryID)
	v.checkRepoName("repositoryName", in.RepositoryName, true)
	if in.ImageScanningConfiguration == nil {
		v.add("imageScanningConfiguration", "null", "Member must not be null")
	}
	if e := v.err(styleInvalidParameter); e != nil {
		return nil, e
	}
	r, aerr := s.findRepo(c, in.RegistryID, *in.RepositoryName)
	if aerr != nil {
		return nil, aerr
	}
	r.scanOnPush = in.ImageScanningConfiguration.ScanOnPush
	return putImageScanningOut{RegistryID: c.account, RepositoryName: r.name,
		ImageScanningConfiguration: wireScanOnPush{ScanOnPush: r.scanOnPush}}, nil
}

// findRepo resolves a repository of this account in the call's Region.
func (s *Server) findRepo(c *call, registryID *string, name string) (*repo, *apiError) {
	if registryID != nil && *registryID != c.account {
		return nil, errRepoNotFound(name, *registryID)
	}
	r, ok := s.readRegion(c.region).repos[name]
	if !ok {
		return nil, errRepoNotFound(name, c.account)
	}
	return r, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
