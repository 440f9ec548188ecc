package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// A provider argument known only after apply is an error naming it, nested
// ones included, not a silent fallback to the public endpoint.
func TestProvider_unknownArgumentIsNamed(t *testing.T) {
	t.Parallel()
	unitTest(t, resource.TestStep{
		Config: `
resource "terraform_data" "endpoint" {
  input = "http://127.0.0.1:1"
}
provider "c0221" {
  region     = "us-east-1"
  access_key = "AKIAEMULATOR00000000"
  secret_key = "emulator-secret-key"
  endpoints {
    ecr = terraform_data.endpoint.output
  }
}
data "c0221_repository_compliance" "test" {}
`,
		ExpectError: regexp.MustCompile(`Provider argument endpoints.ecr is unknown`),
	})
}

// A session token without an access key is an attribute error.
func TestProvider_tokenNeedsAccessKey(t *testing.T) {
	t.Parallel()
	unitTest(t, resource.TestStep{
		Config: `
provider "c0221" {
  region = "us-east-1"
  token  = "session-token"
}
data "c0221_repository_compliance" "test" {}
`,
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*access_key`),
	})
}

// A denied sts:AssumeRole is reported as such, naming the role, not as
// missing credentials.
func TestProvider_deniedAssumeRoleNamesTheRole(t *testing.T) {
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type>` +
			`<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/ci is not ` +
			`authorized to perform: sts:AssumeRole</Message></Error>` +
			`<RequestId>1</RequestId></ErrorResponse>`))
	}))
	t.Cleanup(sts.Close)
	t.Setenv("AWS_ENDPOINT_URL_STS", sts.URL)
	srv := startEmulator(t)

	unitTest(t, resource.TestStep{
		Config: providerConfig(srv, `assume_role {
    role_arn = "arn:aws:iam::123456789012:role/audit"
  }`) + `data "c0221_repository_compliance" "test" {}`,
		ExpectError: regexp.MustCompile(`(?s)access denied to sts:AssumeRole.*` +
			`role/audit.*not authorized to\s+perform: sts:AssumeRole`),
	})
}

// No credentials anywhere in the chain: a diagnostic that says so, before
// any call to ECR.
func TestProvider_noCredentialsIsNamed(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	unitTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "c0221" {
  region = %q
  endpoints {
    ecr = %q
  }
}
data "c0221_repository_compliance" "test" {}
`, testRegion, srv.URL()),
		ExpectError: regexp.MustCompile(`(?s)No AWS credentials found.*AWS_ACCESS_KEY_ID`),
	})
	if calls := srv.Calls(); len(calls) != 0 {
		t.Errorf("calls %v reached ECR without credentials", calls)
	}
}

// AWS_ENDPOINT_URL_ECR, the SDK's own variable, points the provider at any
// ECR-compatible endpoint without an endpoints block.
func TestProvider_honoursAWSEndpointURLECR(t *testing.T) {
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": true})
	t.Setenv("AWS_ENDPOINT_URL_ECR", srv.URL())
	unitTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "c0221" {
  region     = %q
  access_key = "AKIAEMULATOR00000000"
  secret_key = "emulator-secret-key"
}
data "c0221_repository_compliance" "test" {}
`, testRegion),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("noncompliant_repository_names", knownvalue.ListSizeExact(0)),
			expectSummary(1, 1, 0, 0, 0, 0),
		},
	})
	if srv.CallCount("GetRegistryScanningConfiguration") == 0 {
		t.Error("the emulator named by AWS_ENDPOINT_URL_ECR was never called")
	}
}

// profile, shared_config_files and shared_credentials_files: the Region and
// the credentials come only from the named profile of the given files.
func TestProvider_profileFromSharedFiles(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": true})
	dir := t.TempDir()
	configFile, credentialsFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	writeFile(t, configFile, "[profile ci]\nregion = "+testRegion+"\n")
	writeFile(t, credentialsFile, "[ci]\naws_access_key_id = AKIAPROFILE000000000\n"+
		"aws_secret_access_key = profile-secret\n")

	unitTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "c0221" {
  profile                  = "ci"
  shared_config_files      = [%q]
  shared_credentials_files = [%q]
  endpoints {
    ecr = %q
  }
}
data "c0221_repository_compliance" "test" {}
`, configFile, credentialsFile, srv.URL()),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("region", knownvalue.StringExact(testRegion)),
			expectSummary(1, 1, 0, 0, 0, 0),
		},
	})
}

// A data source's own region overrides the provider's.
func TestRepositoryCompliance_regionOverridesTheProvider(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"us-app": true})
	if err := srv.CreateRepository("eu-west-1", "eu-app", false); err != nil {
		t.Fatal(err)
	}
	unitTest(t, resource.TestStep{
		Config: dataSourceConfig(srv, `
  region     = "eu-west-1"
  on_failure = "none"`),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("region", knownvalue.StringExact("eu-west-1")),
			expectAttr("noncompliant_repository_names", knownvalue.ListExact(
				[]knownvalue.Check{knownvalue.StringExact("eu-app")})),
			expectSummary(1, 0, 1, 0, 0, 0),
		},
	})
}
