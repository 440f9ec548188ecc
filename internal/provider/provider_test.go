package provider

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

// testRegion is the Region every framework test configures.
const testRegion = "us-east-1"

// terraformState is the state a TestStep.Check function sees.
type terraformState = terraform.State

// protoV6ProviderFactories serves the provider in-process to the real
// terraform (or tofu) binary that terraform-plugin-testing runs.
var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"c0221": providerserver.NewProtocol6WithError(New("test")()),
}

func TestMain(m *testing.M) {
	// Keep the machine's own AWS configuration and the instance metadata
	// service out of every test: the only endpoint is the local emulator.
	for k, v := range map[string]string{
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	} {
		if err := os.Setenv(k, v); err != nil {
			panic(err)
		}
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECR"} {
		if err := os.Unsetenv(k); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// startEmulator serves a fresh ECR emulator on loopback for one test.
func startEmulator(t *testing.T) *ecremu.Server {
	t.Helper()
	// No settle delay: the provider must cope with an endpoint that answers
	// at once, as another emulator or a nearby VPC endpoint does.
	srv := ecremu.New(ecremu.WithResponseSettle(0))
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("starting the ECR emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// providerConfig is a provider block pointed at the emulator with dummy
// static credentials and max_retries = 2; extra lines go inside the block.
func providerConfig(srv *ecremu.Server, extra ...string) string {
	return providerBlock(srv.URL(), 2, extra...)
}

// providerBlock is a provider block pointed at any ECR endpoint with dummy
// static credentials; extra lines go inside the block.
func providerBlock(endpoint string, maxRetries int, extra ...string) string {
	return fmt.Sprintf(`
provider "c0221" {
  region      = %q
  access_key  = "AKIAEMULATOR00000000"
  secret_key  = "emulator-secret-key"
  max_retries = %d
  %s
  endpoints {
    ecr = %q
  }
}
`, testRegion, maxRetries, strings.Join(extra, "\n  "), endpoint)
}
