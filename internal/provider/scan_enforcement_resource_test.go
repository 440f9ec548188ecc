package provider

import (
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

func TestScanEnforcement_registryModeCreateUpdateAndRestore(t *testing.T) {
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": false, "prod-api": false, "tools": false})

	enforcementTest(t, checkScanning(srv, "BASIC"),
		resource.TestStep{
			Config: enforcementConfig(srv, ``),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(enfAddr, plancheck.ResourceActionCreate),
					// A reviewer sees at plan time what the apply will cover.
					plancheck.ExpectKnownValue(enfAddr, tfjsonpath.New("covered_repository_names"),
						namesList("app", "prod-api", "tools")),
					plancheck.ExpectKnownValue(enfAddr, tfjsonpath.New("scan_type"),
						knownvalue.StringExact("BASIC")),
				},
				PostApplyPostRefresh: emptyAfterApply.PostApplyPostRefresh,
			},
			Check: checkScanning(srv, "BASIC", scanRule("SCAN_ON_PUSH", "*")),
			ConfigStateChecks: []statecheck.StateCheck{
				expectEnf("id", knownvalue.StringExact(enfImport)),
				expectEnf("registry_id", knownvalue.StringExact(ecremu.DefaultAccount)),
				expectEnf("region", knownvalue.StringExact(testRegion)),
				expectEnf("mode", knownvalue.StringExact("registry")),
				expectEnf("scan_frequency", knownvalue.StringExact("SCAN_ON_PUSH")),
				expectEnf("on_destroy", knownvalue.StringExact("restore")),
				expectEnf("added_filters", stringSetOf("*")),
				expectEnf("scan_type_changed_from", knownvalue.Null()),
				expectEnf("previous_configuration", knownvalue.ObjectExact(
					map[string]knownvalue.Check{
						"scan_type":      knownvalue.StringExact("BASIC"),
						"registry_rules": knownvalue.ListExact([]knownvalue.Check{}),
					})),
			},
		},
		resource.TestStep{
			Config: enforcementConfig(srv, `repository_filters = ["prod", "app"]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(enfAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(enfAddr, tfjsonpath.New("covered_repository_names"),
						namesList("app", "prod-api")),
				},
				PostApplyPostRefresh: emptyAfterApply.PostApplyPostRefresh,
			},
			// "*" was this resource's own filter, so the update takes it out.
			Check: checkScanning(srv, "BASIC", scanRule("SCAN_ON_PUSH", "app", "prod")),
			ConfigStateChecks: []statecheck.StateCheck{
				expectEnf("added_filters", stringSetOf("app", "prod")),
			},
		},
		resource.TestStep{
			// Removing the optional argument goes back to its default.
			Config:           enforcementConfig(srv, ``),
			ConfigPlanChecks: emptyAfterApply,
			Check:            checkScanning(srv, "BASIC", scanRule("SCAN_ON_PUSH", "*")),
		},
	)
}

func TestScanEnforcement_keepsAnotherTeamsRuleThroughCreateAndDestroy(t *testing.T) {
	srv := startEmulator(t)
	before := []ecremu.ScanningRule{scanRule("CONTINUOUS_SCAN", "team-a/*"),
		scanRule("SCAN_ON_PUSH", "prod")}
	seedScanning(t, srv, "ENHANCED", before...)

	enforcementTest(t, checkScanning(srv, "ENHANCED", before...),
		resource.TestStep{
			Config:           enforcementConfig(srv, `repository_filters = ["prod", "*"]`),
			ConfigPlanChecks: emptyAfterApply,
			Check: checkScanning(srv, "ENHANCED", scanRule("CONTINUOUS_SCAN", "team-a/*"),
				scanRule("SCAN_ON_PUSH", "prod", "*")),
			ConfigStateChecks: []statecheck.StateCheck{
				// "prod" was there before: not this resource's to remove.
				expectEnf("added_filters", stringSetOf("*")),
				// Unset scan_type keeps ENHANCED: never a downgrade.
				expectEnf("scan_type", knownvalue.StringExact("ENHANCED")),
			},
		},
	)
}

func TestScanEnforcement_destroyKeepsWhatOthersChangedSince(t *testing.T) {
	srv := startEmulator(t)
	seedScanning(t, srv, "BASIC", scanRule("SCAN_ON_PUSH", "prod"))

	enforcementTest(t, checkScanning(srv, "ENHANCED", scanRule("SCAN_ON_PUSH", "prod", "late"),
		scanRule("CONTINUOUS_SCAN", "team-b/*")),
		resource.TestStep{
			Config:           enforcementConfig(srv, `repository_filters = ["*"]`),
			ConfigPlanChecks: emptyAfterApply,
			Check:            checkScanning(srv, "BASIC", scanRule("SCAN_ON_PUSH", "prod", "*")),
		},
		resource.TestStep{
			PreConfig: func() {
				// Another team adds a filter and a continuous rule.
				seedScanning(t, srv, "ENHANCED", scanRule("SCAN_ON_PUSH", "prod", "*", "late"),
					scanRule("CONTINUOUS_SCAN", "team-b/*"))
			},
			Config: enforcementConfig(srv, `repository_filters = ["*"]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		},
	)
}

// Two enforcements in one configuration are destroyed in either order; each
// removes only its own filter, and together they leave the registry as it
// was, even though the second one saw the first one's filter at create.
func TestScanEnforcement_siblingsDestroyedTogetherLeaveTheRegistryAsItWas(t *testing.T) {
	for run := range 3 {
		t.Run(fmt.Sprintf("run %d", run), func(t *testing.T) {
			srv := startEmulator(t) // BASIC, no rules
			config := providerConfig(srv) + `
resource "c0221_scan_enforcement" "a" {
  repository_filters = ["xx"]
}
resource "c0221_scan_enforcement" "b" {
  repository_filters = ["yy"]
}
`
			enforcementTest(t, checkScanning(srv, "BASIC"),
				resource.TestStep{
					Config:           config,
					ConfigPlanChecks: emptyAfterApply,
					// Either resource may write first, so the filters' order varies.
					Check: func(*terraformState) error {
						if scanningIs(srv, "BASIC", scanRule("SCAN_ON_PUSH", "xx", "yy")) != nil {
							return scanningIs(srv, "BASIC", scanRule("SCAN_ON_PUSH", "yy", "xx"))
						}
						return nil
					},
				},
			)
		})
	}
}

func TestScanEnforcement_driftIsShownAndCorrected(t *testing.T) {
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": false})
	config := enforcementConfig(srv, `
  scan_type          = "ENHANCED"
  scan_frequency     = "CONTINUOUS_SCAN"
  repository_filters = ["app", "web*"]
`)
	scanned := []ecremu.ScanningRule{scanRule("CONTINUOUS_SCAN", "app", "web*")}

	enforcementTest(t, checkScanning(srv, "BASIC"),
		resource.TestStep{
			Config:           config,
			ConfigPlanChecks: emptyAfterApply,
			Check:            checkScanning(srv, "ENHANCED", scanned...),
			ConfigStateChecks: []statecheck.StateCheck{
				expectEnf("scan_type_changed_from", knownvalue.StringExact("BASIC")),
			},
		},
		resource.TestStep{
			// Someone removes a filter outside Terraform.
			PreConfig:        func() { seedScanning(t, srv, "ENHANCED", scanRule("CONTINUOUS_SCAN", "app")) },
			Config:           config,
			ConfigPlanChecks: planThenEmpty(plancheck.ResourceActionUpdate),
			Check:            checkScanning(srv, "ENHANCED", scanned...),
		},
		resource.TestStep{
			// Someone switches scanning off for the whole registry.
			PreConfig:        func() { seedScanning(t, srv, "BASIC") },
			Config:           config,
			ConfigPlanChecks: planThenEmpty(plancheck.ResourceActionUpdate),
			Check:            checkScanning(srv, "ENHANCED", scanned...),
			ConfigStateChecks: []statecheck.StateCheck{
				// It changed the type again, from the BASIC it found.
				expectEnf("scan_type_changed_from", knownvalue.StringExact("BASIC")),
			},
		},
		resource.TestStep{
			// A repository created later is covered by the rule: no change.
			PreConfig: func() { seedRepositories(t, srv, map[string]bool{"web-ui": false}) },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				expectEnf("covered_repository_names", namesList("app", "web-ui")),
			},
		},
	)
}

func TestScanEnforcement_importAdoptsTheCurrentConfiguration(t *testing.T) {
	srv := startEmulator(t)
	current := []ecremu.ScanningRule{scanRule("CONTINUOUS_SCAN", "team-a/*"),
		scanRule("SCAN_ON_PUSH", "prod", "*")}
	seedScanning(t, srv, "ENHANCED", current...)
	config := enforcementConfig(srv, `repository_filters = ["prod", "*"]`)

	// Restore after an import changes nothing: nothing was added.
	enforcementTest(t, checkScanning(srv, "ENHANCED", current...),
		resource.TestStep{
			Config:             config,
			ResourceName:       enfAddr,
			ImportState:        true,
			ImportStateId:      enfImport,
			ImportStatePersist: true,
		},
		resource.TestStep{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				expectEnf("added_filters", stringSetOf()),
				expectEnf("scan_frequency", knownvalue.StringExact("SCAN_ON_PUSH")),
			},
		},
	)
}

// An import ID that names CONTINUOUS_SCAN adopts that rule, so a
// configuration enforcing the continuous rule plans no change after import.
func TestScanEnforcement_importNamesTheContinuousRule(t *testing.T) {
	srv := startEmulator(t)
	current := []ecremu.ScanningRule{scanRule("CONTINUOUS_SCAN", "*prod*"),
		scanRule("SCAN_ON_PUSH", "dev")}
	seedScanning(t, srv, "ENHANCED", current...)
	config := enforcementConfig(srv, `
  scan_frequency     = "CONTINUOUS_SCAN"
  repository_filters = ["*prod*"]`)

	enforcementTest(t, checkScanning(srv, "ENHANCED", current...),
		resource.TestStep{
			Config:             config,
			ResourceName:       enfAddr,
			ImportState:        true,
			ImportStateId:      enfImport + "/CONTINUOUS_SCAN",
			ImportStatePersist: true,
		},
		resource.TestStep{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		},
		resource.TestStep{
			Config:        config,
			ResourceName:  enfAddr,
			ImportState:   true,
			ImportStateId: enfImport + "/DAILY",
			ExpectError:   regexp.MustCompile(`(?s)Invalid import ID.*REGISTRY_ID/REGION/FREQUENCY`),
		},
	)
}

func TestScanEnforcement_importVerifiesAgainstACreatedResource(t *testing.T) {
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": false})
	config := enforcementConfig(srv, ``)

	enforcementTest(t, checkScanning(srv, "BASIC"),
		resource.TestStep{Config: config},
		resource.TestStep{
			Config:            config,
			ResourceName:      enfAddr,
			ImportState:       true,
			ImportStateId:     enfImport,
			ImportStateVerify: true,
			ImportStateVerifyIgnore: []string{
				// An import adopts the configuration as it finds it: it added
				// nothing, and the configuration before it is the current one.
				"added_filters",
				"previous_configuration",
			},
		},
		resource.TestStep{
			Config:      config,
			ImportState: true, ResourceName: enfAddr, ImportStateId: "123456789012",
			ExpectError: errRe("not REGISTRY_ID/REGION"),
		},
	)
}

func TestScanEnforcement_retainLeavesScanningOn(t *testing.T) {
	srv := startEmulator(t)
	enforcementTest(t, checkScanning(srv, "BASIC", scanRule("SCAN_ON_PUSH", "*")),
		resource.TestStep{
			Config:           enforcementConfig(srv, `on_destroy = "retain"`),
			ConfigPlanChecks: emptyAfterApply,
			Check:            checkScanning(srv, "BASIC", scanRule("SCAN_ON_PUSH", "*")),
		},
	)
}

func TestScanEnforcement_restoresTheScanTypeItChanged(t *testing.T) {
	srv := startEmulator(t)
	seedScanning(t, srv, "BASIC", scanRule("SCAN_ON_PUSH", "prod"))
	enforcementTest(t, checkScanning(srv, "BASIC", scanRule("SCAN_ON_PUSH", "prod")),
		resource.TestStep{
			Config: enforcementConfig(srv, `
  scan_type          = "ENHANCED"
  scan_frequency     = "CONTINUOUS_SCAN"
  repository_filters = ["*"]
`),
			ConfigPlanChecks: emptyAfterApply,
			Check: checkScanning(srv, "ENHANCED", scanRule("SCAN_ON_PUSH", "prod"),
				scanRule("CONTINUOUS_SCAN", "*")),
		},
		resource.TestStep{
			// Removing scan_type keeps ENHANCED: unset never downgrades.
			Config:           enforcementConfig(srv, `scan_frequency = "CONTINUOUS_SCAN"`),
			ConfigPlanChecks: emptyAfterApply,
			Check: checkScanning(srv, "ENHANCED", scanRule("SCAN_ON_PUSH", "prod"),
				scanRule("CONTINUOUS_SCAN", "*")),
		},
	)
}

func TestScanEnforcement_limitsFailThePlan(t *testing.T) {
	srv := startEmulator(t)
	hundred := make([]string, 100)
	for i := range hundred {
		hundred[i] = fmt.Sprintf("repo-%03d", i)
	}

	enforcementTest(t, nil,
		resource.TestStep{
			PreConfig: func() {
				seedScanning(t, srv, "ENHANCED", scanRule("CONTINUOUS_SCAN", "a"),
					scanRule("CONTINUOUS_SCAN", "b"))
			},
			Config:      enforcementConfig(srv, ``),
			PlanOnly:    true,
			ExpectError: errRe("rule limit reached", "at most 2 rules"),
		},
		resource.TestStep{
			PreConfig:   func() { seedScanning(t, srv, "BASIC", scanRule("SCAN_ON_PUSH", hundred...)) },
			Config:      enforcementConfig(srv, `repository_filters = ["new"]`),
			PlanOnly:    true,
			ExpectError: errRe("filter limit reached", "at most 100 filters", "hold 101"),
		},
		resource.TestStep{
			// A filter already in the full rule adds nothing, so it plans.
			Config:             enforcementConfig(srv, `repository_filters = ["repo-007"]`),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		},
	)
	if n := srv.CallCount("PutRegistryScanningConfiguration"); n != 0 {
		t.Errorf("PutRegistryScanningConfiguration called %d times; limits must fail the plan", n)
	}
}

func TestScanEnforcement_continuousScanNeedsEnhanced(t *testing.T) {
	srv := startEmulator(t)
	enforcementTest(t, nil,
		resource.TestStep{
			Config: enforcementConfig(srv, `
  scan_type      = "BASIC"
  scan_frequency = "CONTINUOUS_SCAN"
`),
			PlanOnly:    true,
			ExpectError: errRe("CONTINUOUS_SCAN needs ENHANCED", "scan_frequency"),
		},
		resource.TestStep{
			// scan_type unset keeps the live BASIC type, which cannot scan
			// continuously.
			Config:      enforcementConfig(srv, `scan_frequency = "CONTINUOUS_SCAN"`),
			PlanOnly:    true,
			ExpectError: errRe("CONTINUOUS_SCAN needs ENHANCED", "now has scan type BASIC"),
		},
	)
	if calls := srv.Calls(); calls["PutRegistryScanningConfiguration"] != 0 {
		t.Errorf("calls = %v; the plan must fail before any write", calls)
	}
}

func TestScanEnforcement_foreignRegistryIsAnAttributeError(t *testing.T) {
	srv := startEmulator(t)
	enforcementTest(t, nil, resource.TestStep{
		Config:      enforcementConfig(srv, `registry_id = "210987654321"`),
		PlanOnly:    true,
		ExpectError: errRe("registry_id is not the caller's registry", "assume_role"),
	})
}

func TestScanEnforcement_deniedPutNamesTheAction(t *testing.T) {
	srv := startEmulator(t)
	srv.DenyAccess("PutRegistryScanningConfiguration")
	enforcementTest(t, nil, resource.TestStep{
		Config: enforcementConfig(srv, ``),
		ExpectError: errRe("access denied to ecr:PutRegistryScanningConfiguration",
			"Allow ecr:PutRegistryScanningConfiguration"),
	})
	if err := scanningIs(srv, "BASIC"); err != nil {
		t.Errorf("after a denied Put: %v", err)
	}
}

func TestScanEnforcement_exampleConfigPlans(t *testing.T) {
	srv := startEmulator(t)
	example, err := os.ReadFile("../../examples/resources/c0221_scan_enforcement/resource.tf")
	if err != nil {
		t.Fatal(err)
	}
	enforcementTest(t, nil, resource.TestStep{
		Config:             providerConfig(srv) + string(example),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	})
}

func TestScanEnforcement_filtersKnownOnlyAtApply(t *testing.T) {
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": false, "web": false})
	config := enforcementConfig(srv, `repository_filters = [terraform_data.filter.output]`) + `
resource "terraform_data" "filter" {
  input = "app"
}
`
	enforcementTest(t, checkScanning(srv, "BASIC"),
		resource.TestStep{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(enfAddr, tfjsonpath.New("covered_repository_names")),
				},
				PostApplyPostRefresh: emptyAfterApply.PostApplyPostRefresh,
			},
			Check: checkScanning(srv, "BASIC", scanRule("SCAN_ON_PUSH", "app")),
			ConfigStateChecks: []statecheck.StateCheck{
				expectEnf("covered_repository_names", namesList("app")),
			},
		},
	)
}
