package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

// Canary credentials: values that appear nowhere else, so that any trace of
// them in a log is a leak. Letters and digits only, so that no escaping in
// a log line can hide one.
const (
	canaryAccessKey = "AKIACANARY7Q3X9ZLEAK"
	canarySecretKey = "canarySecretKey0123456789abcdefLEAKTEST"
	canaryToken     = "canarySessionTokenIQoJb3JpZ2luX2VjEPLEAK"
)

// TestSecrets_traceLogsNeverHoldCredentials runs plan, apply, a failing
// read and destroy with every log at TRACE, Terraform's own (TF_LOG) and
// the in-process provider's, both written to TF_ACC_LOG_PATH: once with the
// credentials as provider arguments, once from the environment as CI sets
// them.
func TestSecrets_traceLogsNeverHoldCredentials(t *testing.T) {
	t.Run("provider arguments", func(t *testing.T) {
		srv := startEmulator(t)
		assertNoCredentials(t, traceRun(t, srv, fmt.Sprintf(`
provider "c0221" {
  region      = %q
  access_key  = %q
  secret_key  = %q
  token       = %q
  max_retries = 1
  endpoints {
    ecr = %q
  }
}
`, testRegion, canaryAccessKey, canarySecretKey, canaryToken, srv.URL())))
	})

	t.Run("environment", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", canaryAccessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", canarySecretKey)
		t.Setenv("AWS_SESSION_TOKEN", canaryToken)
		srv := startEmulator(t)
		assertNoCredentials(t, traceRun(t, srv, fmt.Sprintf(`
provider "c0221" {
  region      = %q
  max_retries = 1
  endpoints {
    ecr = %q
  }
}
`, testRegion, srv.URL())))
	})
}

// traceRun applies a data source and a resource, fails a read, and
// destroys, with TRACE logs; it returns the log.
func traceRun(t *testing.T, srv *ecremu.Server, providerBlock string) string {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "trace")
	t.Setenv("TF_ACC_LOG_PATH", logPath)

	seedRepositories(t, srv, map[string]bool{"app": false, "web": true})
	config := providerBlock + `
data "c0221_repository_compliance" "test" {
  on_failure = "none"
}

resource "c0221_scan_enforcement" "test" {
  repository_filters = ["app"]
}
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				// An error path: ECR's answer goes into the diagnostic.
				PreConfig:   func() { srv.DenyAccess("BatchGetRepositoryScanningConfiguration") },
				Config:      config,
				ExpectError: regexp.MustCompile(`access denied to`),
			},
			{
				PreConfig: func() { srv.ClearFaults() },
				Config:    config,
			},
		},
	})

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	return string(raw)
}

// harnessConfigEntry is the test harness's own log entry of the
// configuration it writes to the working directory: the user's own .tf
// text, which a real run never logs.
const harnessConfigEntry = "sdk.helper_resource: Setting Terraform configuration"

func assertNoCredentials(t *testing.T, log string) {
	t.Helper()
	// The log must really hold both sides, or the test proves nothing.
	for _, marker := range []string{
		"configured AWS access",       // the provider's Configure (tflog)
		"judged ECR repositories",     // the data source's Read (tflog)
		"enforced scanning",           // the resource's apply (tflog)
		"ConfigureProvider",           // the provider protocol at TRACE
		"[TRACE] statemgr.Filesystem", // the CLI core (terraform or tofu) at TRACE
		"access denied to",            // the diagnostic of the failing step
	} {
		if !strings.Contains(log, marker) {
			t.Errorf("the trace log (%d bytes) lacks %q: logs were not captured", len(log), marker)
		}
	}

	entries := logEntries(log)
	for name, secret := range map[string]string{"access key": canaryAccessKey,
		"secret key": canarySecretKey, "session token": canaryToken} {
		var leaks []string
		for _, e := range entries {
			if strings.Contains(e, harnessConfigEntry) {
				continue
			}
			// The whole value, or its second half (a truncated or split value).
			for _, form := range []string{secret, secret[len(secret)/2:]} {
				if i := strings.Index(e, form); i >= 0 {
					leaks = append(leaks, e[max(i-300, 0):min(i+len(form)+50, len(e))])
					break
				}
			}
		}
		if len(leaks) > 0 {
			t.Errorf("%d trace log entries hold the %s; the first: ...%s...", len(leaks), name,
				leaks[0])
		}
	}
}

// logEntries splits a log into entries: a line starting with a timestamp
// and the continuation lines after it.
func logEntries(log string) []string {
	var out []string
	for _, line := range strings.SplitAfter(log, "\n") {
		if len(out) == 0 || entryStart.MatchString(line) {
			out = append(out, line)
			continue
		}
		out[len(out)-1] += line
	}
	return out
}

var entryStart = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T`)

// TestSecrets_credentialArgumentsAreSensitive checks the provider schema:
// the credential arguments, and anything named like one, are sensitive.
func TestSecrets_credentialArgumentsAreSensitive(t *testing.T) {
	var resp provider.SchemaResponse
	New("test")().Schema(context.Background(), provider.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}

	credential := regexp.MustCompile(`(key|secret|token|password)`)
	seen := map[string]bool{}
	var walk func(prefix string, attrs map[string]schema.Attribute, blocks map[string]schema.Block)
	walk = func(prefix string, attrs map[string]schema.Attribute, blocks map[string]schema.Block) {
		for name, a := range attrs {
			seen[prefix+name] = a.IsSensitive()
			if credential.MatchString(name) && !a.IsSensitive() {
				t.Errorf("provider argument %s%s looks like a credential but is not sensitive",
					prefix, name)
			}
		}
		for name, b := range blocks {
			if nb, ok := b.(schema.SingleNestedBlock); ok {
				walk(prefix+name+".", nb.Attributes, nb.Blocks)
			}
		}
	}
	walk("", resp.Schema.Attributes, resp.Schema.Blocks)

	for _, name := range []string{"access_key", "secret_key", "token"} {
		if sensitive, ok := seen[name]; !ok || !sensitive {
			t.Errorf("provider argument %s: present %t, sensitive %t; want a sensitive argument",
				name, ok, sensitive)
		}
	}
}
