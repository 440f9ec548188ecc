package provider

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

const examplesDir = "../../examples"

// terraformBinary is the CLI the framework tests use: TF_ACC_TERRAFORM_PATH
// (OpenTofu in CI) or terraform on PATH.
func terraformBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("no terraform on PATH and no TF_ACC_TERRAFORM_PATH: install Terraform or OpenTofu")
	}
	return p
}

// TestExamples_validate builds the provider and runs `validate` on every
// example directory through dev_overrides, as a user's CLI would see them.
func TestExamples_validate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the provider binary; run without -short")
	}
	tf := terraformBinary(t)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-c0221"), "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(t.TempDir(), "terraformrc")
	writeFile(t, rc, `provider_installation {
  dev_overrides {
    "registry.terraform.io/c0221/c0221" = "`+bin+`"
    "registry.opentofu.org/c0221/c0221" = "`+bin+`"
  }
  direct {}
}
`)

	dirs, err := filepath.Glob(filepath.Join(examplesDir, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, filepath.Join(examplesDir, "provider"), filepath.Join(examplesDir, "demo"))
	validated := map[string]bool{}
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		validated[strings.TrimPrefix(dir, examplesDir+"/")] = true
		t.Run(strings.TrimPrefix(dir, examplesDir+"/"), func(t *testing.T) {
			work := t.TempDir()
			copyTF(t, dir, work)
			cmd := exec.Command(tf, "validate", "-no-color")
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("validate failed: %v\n%s", err, out)
			}
		})
	}

	// A moved or renamed examples tree must fail here, not validate nothing.
	for _, want := range []string{"provider", "demo",
		"data-sources/c0221_repository_compliance", "resources/c0221_scan_enforcement",
		"functions/filter_matches", "functions/effective_scan_frequency"} {
		if !validated[want] {
			t.Errorf("example %s was not validated: it is missing from %s", want, examplesDir)
		}
	}

	fmtCheck := exec.Command(tf, "fmt", "-check", "-recursive", examplesDir)
	if out, err := fmtCheck.CombinedOutput(); err != nil {
		t.Errorf("examples are not formatted (run make fmt): %v\n%s", err, out)
	}
}

// copyTF copies an example's .tf files and declares the provider's source
// when the example leaves it to the reader.
func copyTF(t *testing.T, from, to string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(from, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("example %s has no .tf files (%v): nothing to validate", from, err)
	}
	declared := false
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		declared = declared || strings.Contains(string(b), "required_providers")
		writeFile(t, filepath.Join(to, filepath.Base(f)), string(b))
	}
	if !declared {
		writeFile(t, filepath.Join(to, "providers_test.tf"), `terraform {
  required_providers {
    c0221 = { source = "c0221/c0221" }
  }
}
`)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestExamples_preconditionFailsBeforeCreate runs the function example: the
// plan fails before the repository exists while no rule covers it, and
// passes once a rule does.
func TestExamples_preconditionFailsBeforeCreate(t *testing.T) {
	srv := startEmulator(t)
	example, err := os.ReadFile(filepath.Join(examplesDir,
		"functions/effective_scan_frequency/function.tf"))
	if err != nil {
		t.Fatal(err)
	}
	config := providerConfig(srv) + string(example) +
		`output "created" { value = terraform_data.payments_repository.output }`

	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				seedRules(t, srv, "BASIC", map[string][]string{"SCAN_ON_PUSH": {"web"}})
			},
			Config: config,
			ExpectError: regexp.MustCompile(
				`(?s)Resource precondition failed.*No ECR registry scanning rule covers payments/api`),
		}, {
			PreConfig: func() {
				seedRules(t, srv, "BASIC", map[string][]string{"SCAN_ON_PUSH": {"web", "payments/*"}})
			},
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("created", knownvalue.StringExact("payments/api")),
			},
		}},
	})
}
