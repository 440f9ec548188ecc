// Package ecremu is a local Amazon ECR emulator for tests, demos and
// benchmarks. It speaks ECR's wire protocol (AWS JSON 1.1: POST / with
// X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>), so the
// unmodified aws-sdk-go-v2 ECR client works against it with BaseEndpoint
// set to the server's URL and any static credentials. It never contacts AWS.
//
// It follows ECR's documented semantics (docs/ECR.md and the ECR API
// reference), not any one client's assumptions:
//
//   - State is per Region, read from the SigV4 credential scope of the
//     Authorization header (default us-east-1); one account per server
//     (default 123456789012).
//   - Registry scanning: BASIC with no rules until a Put, which replaces the
//     whole configuration. BatchGetRepositoryScanningConfiguration computes
//     each repository's frequency with the emulator's own WILDCARD matcher:
//     a filter without `*` matches names containing it, one with `*` must
//     match the whole name. Under ENHANCED, CONTINUOUS_SCAN wins over
//     SCAN_ON_PUSH and no match is MANUAL; under BASIC a matching rule is
//     SCAN_ON_PUSH, otherwise the legacy flag decides when
//     LegacyFlagScansUnderBasic is on (the default), else MANUAL. The
//     answer's scanOnPush is true only for SCAN_ON_PUSH.
//   - DescribeRepositories pages by name, DescribeImages by digest (not push
//     order), DescribeImageScanFindings by position over findings then
//     enhancedFindings; tokens are opaque and survive repositories being
//     created or deleted between pages.
//   - Constraint violations answer InvalidParameterException on ECR's older
//     operations and ValidationException ("N validation errors detected:
//     ...") on the registry scanning operations.
//
// Operations served: DescribeRegistry, GetRegistryScanningConfiguration,
// PutRegistryScanningConfiguration, BatchGetRepositoryScanningConfiguration,
// DescribeRepositories, CreateRepository, DeleteRepository,
// PutImageScanningConfiguration, DescribeImages, BatchGetImage,
// DescribeImageScanFindings, StartImageScan. Others answer
// UnknownOperationException; a body that is not one JSON object of the
// operation's shape answers SerializationException.
//
// # Faults and observation
//
// Latency, throttling (ThrottlingException, HTTP 400, "Rate exceeded"),
// server errors (ServerException, HTTP 500) and dropped connections can be
// set per operation or for all ("*"), by probability or for the next N
// calls; AccessDeniedException for chosen operations; a Hook runs before an
// operation is served. Calls counts requests per operation.
//
// # Clients
//
// Any AWS SDK client works with BaseEndpoint set to URL() and static dummy
// credentials. aws-sdk-go-v2 (smithy-go 1.28) with net/http has a race that
// a loopback server can expose on answers larger than its first read; the
// server delays answers over 3 KiB by DefaultResponseSettle
// (WithResponseSettle). HTTPClient returns a client immune to it, as the
// provider's own client is, for tests that build their own SDK client.
//
// # Admin endpoints
//
// Under /_emulator/ (JSON): GET health, GET calls, POST reset (?faults=1,
// ?state=1), GET/POST faults (a FaultConfig), GET state?region=R, POST seed
// (a seed document), POST synthetic?region=R&count=N.
//
// # Seed file format
//
// A seed is one JSON document; timestamps are RFC 3339 strings; every member
// is optional except a repository's name. testdata/sample.json is a full
// example.
//
//	{
//	  "account": "123456789012",
//	  "legacyFlagScansUnderBasic": true,
//	  "regions": {
//	    "eu-west-1": {
//	      "scanningConfiguration": {
//	        "scanType": "ENHANCED",
//	        "rules": [{"scanFrequency": "CONTINUOUS_SCAN",
//	                   "repositoryFilters": [{"filter": "prod", "filterType": "WILDCARD"}]}]
//	      },
//	      "repositories": [{
//	        "name": "team/app",
//	        "createdAt": "2025-03-01T10:00:00Z",
//	        "scanOnPush": false,
//	        "imageTagMutability": "MUTABLE",
//	        "images": [{
//	          "digest": "sha256:<64 hex>",        // default: sha256 of the generated manifest
//	          "tags": ["v1"],
//	          "pushedAt": "2025-03-02T08:00:00Z",
//	          "sizeInBytes": 52428800,
//	          "manifestMediaType": "application/vnd.oci.image.manifest.v1+json",
//	          "artifactMediaType": "application/vnd.oci.image.config.v1+json",
//	          "subjectDigest": "sha256:...",      // referrers: signatures, attestations, SBOMs
//	          "platform": {"architecture": "amd64", "os": "linux"},
//	          "manifests": [ <image>, ... ],      // makes an index; entries become images
//	          "manifest": "<raw manifest JSON>",  // overrides the generated one
//	          "scan": {                            // absent: never scanned (ScanNotFoundException)
//	            "status": "COMPLETE",             // FAILED, ACTIVE, UNSUPPORTED_IMAGE, ... kept verbatim
//	            "description": "UnsupportedImageError: ...",
//	            "completedAt": "2025-03-02T08:05:00Z",
//	            "vulnerabilitySourceUpdatedAt": "2025-03-02T00:00:00Z",
//	            "severityCounts": {"CRITICAL": 1, "UNTRIAGED": 2},  // default: counted from findings
//	            "omitSummary": true,              // DescribeImages leaves the summary out
//	            "findings": [{"name": "CVE-...", "severity": "HIGH", "uri": "...",
//	                          "attributes": [{"key": "package_name", "value": "openssl"}]}],
//	            "enhancedFindings": [{"severity": "CRITICAL", "score": 9.8, "title": "...",
//	                                  "packageVulnerabilityDetails": {"vulnerabilityId": "CVE-...",
//	                                    "source": "NVD",
//	                                    "vulnerablePackages": [{"name": "openssl", "version": "3.0.1"}]}}]
//	          }
//	        }]
//	      }],
//	      "synthetic": {"count": 2500, "prefix": "svc", "scanOnPushEvery": 3, "imagesPerRepository": 0}
//	    }
//	  }
//	}
//
// The Go helpers seed the same state from tests: CreateRepository,
// SetRegistryScanning, PutImage, SetImageScan, SeedSynthetic, ApplySeed;
// RegistryScanning, Repository, Image and EffectiveScanning read it back.
package ecremu
