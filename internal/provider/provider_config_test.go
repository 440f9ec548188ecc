package provider

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
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
