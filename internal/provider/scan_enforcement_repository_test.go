package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestScanEnforcement_repositoryModeSetsFlagsAndCorrectsDrift(t *testing.T) {
	srv := startEmulator(t)
	before := map[string]bool{"team-a/api": false, "team-b/api": true, "team-c/web": false,
		"other": false}
	seedRepositories(t, srv, before)
	config := enforcementConfig(srv, `
  mode               = "repository"
  repository_filters = ["team-*"]
`)

	enforcementTest(t, checkFlags(srv, before),
		resource.TestStep{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(enfAddr, tfjsonpath.New("covered_repository_names"),
						namesList("team-a/api", "team-b/api", "team-c/web")),
				},
				PostApplyPostRefresh: emptyAfterApply.PostApplyPostRefresh,
			},
			Check: checkFlags(srv, map[string]bool{"team-a/api": true, "team-b/api": true,
				"team-c/web": true, "other": false}),
			ConfigStateChecks: []statecheck.StateCheck{
				// team-b/api was on already: destroy leaves it on.
				expectEnf("changed_repository_names", stringSetOf("team-a/api", "team-c/web")),
				expectEnf("added_filters", stringSetOf()),
				expectEnf("scan_type", knownvalue.StringExact("BASIC")),
			},
		},
		resource.TestStep{
			PreConfig: func() {
				// A flag turned off outside Terraform, and a new repository.
				if err := srv.SetRepositoryScanOnPush(testRegion, "team-a/api", false); err != nil {
					t.Fatal(err)
				}
				seedRepositories(t, srv, map[string]bool{"team-d/job": false})
			},
			Config: config,
			ConfigPlanChecks: planThenEmpty(plancheck.ResourceActionUpdate,
				plancheck.ExpectKnownValue(enfAddr, tfjsonpath.New("covered_repository_names"),
					namesList("team-a/api", "team-b/api", "team-c/web", "team-d/job"))),
			Check: checkFlags(srv, map[string]bool{"team-a/api": true, "team-d/job": true}),
			ConfigStateChecks: []statecheck.StateCheck{
				expectEnf("changed_repository_names",
					stringSetOf("team-a/api", "team-c/web", "team-d/job")),
			},
		},
		resource.TestStep{
			// Narrowing the selection turns off what it no longer selects.
			Config: enforcementConfig(srv, `
  mode             = "repository"
  repository_names = ["team-a/api", "team-b/api"]
`),
			ConfigPlanChecks: emptyAfterApply,
			Check: checkFlags(srv, map[string]bool{"team-a/api": true, "team-b/api": true,
				"team-c/web": false, "team-d/job": false}),
			ConfigStateChecks: []statecheck.StateCheck{
				expectEnf("covered_repository_names", namesList("team-a/api", "team-b/api")),
				expectEnf("changed_repository_names", stringSetOf("team-a/api")),
			},
		},
	)
	if err := scanningIs(srv, "BASIC"); err != nil {
		t.Errorf("repository mode touched the registry configuration: %v", err)
	}
}

func TestScanEnforcement_repositoryModeRetain(t *testing.T) {
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": false})
	enforcementTest(t, checkFlags(srv, map[string]bool{"app": true}),
		resource.TestStep{
			Config: enforcementConfig(srv, `
  mode             = "repository"
  repository_names = ["app"]
  on_destroy       = "retain"
`),
			ConfigPlanChecks: emptyAfterApply,
		},
	)
}

func TestScanEnforcement_repositoryModeHalfwayCreateConverges(t *testing.T) {
	srv := startEmulator(t)
	all := fourReposOff()
	seedRepositories(t, srv, all)
	config := enforcementConfig(srv, `
  mode               = "repository"
  repository_filters = ["r*"]
`)

	enforcementTest(t, checkFlags(srv, all),
		resource.TestStep{
			PreConfig:   func() { denyAfter(srv, "PutImageScanningConfiguration", 2) },
			Config:      config,
			ExpectError: errRe("access denied to ecr:PutImageScanningConfiguration", "r3"),
		},
		// Exactly the first two were changed; the state records them. A
		// failed create is tainted: destroy turns r1 and r2 off again, then
		// create covers all four.
		convergeAfterHalfway(t, srv, config, plancheck.ResourceActionDestroyBeforeCreate),
	)
}

func TestScanEnforcement_repositoryModeHalfwayUpdateConverges(t *testing.T) {
	srv := startEmulator(t)
	all := fourReposOff()
	seedRepositories(t, srv, all)
	every := enforcementConfig(srv, `
  mode               = "repository"
  repository_filters = ["r*"]
`)

	enforcementTest(t, checkFlags(srv, all),
		resource.TestStep{
			Config: enforcementConfig(srv, `
  mode             = "repository"
  repository_names = ["r1"]
`),
		},
		resource.TestStep{
			PreConfig:   func() { denyAfter(srv, "PutImageScanningConfiguration", 1) },
			Config:      every,
			ExpectError: errRe("access denied to ecr:PutImageScanningConfiguration", "r3"),
		},
		// The state saved after the failure lists r1 and r2 as covered, so
		// the plan updates in place for the rest.
		convergeAfterHalfway(t, srv, every, plancheck.ResourceActionUpdate),
	)
}

func TestScanEnforcement_repositoryModeMissingNameFailsTheApply(t *testing.T) {
	srv := startEmulator(t)
	seedRepositories(t, srv, map[string]bool{"app": false})
	config := enforcementConfig(srv, `
  mode             = "repository"
  repository_names = ["app", "ghost"]
`)
	enforcementTest(t, checkFlags(srv, map[string]bool{"app": false}),
		resource.TestStep{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					// The plan only warns, since the repository may be created
					// earlier in the same run; what is covered is known after apply.
					plancheck.ExpectUnknownValue(enfAddr, tfjsonpath.New("covered_repository_names")),
				},
			},
			ExpectError: errRe("repositories not found", "ghost"),
		},
	)
}

func TestScanEnforcement_badInputIsAnAttributeErrorAtPlan(t *testing.T) {
	srv := startEmulator(t)
	cases := []struct {
		body   string
		phrase []string
	}{
		{`repository_names = ["app"]`,
			[]string{"repository_names applies only in repository mode"}},
		{`repository_filters = ["Prod"]`, []string{"Invalid ECR repository filter", "upper-case"}},
		{`repository_filters = ["a..b"]`, []string{"Invalid ECR repository filter"}},
		{`repository_filters = []`, []string{"repository_filters", "at least 1"}},
		{`mode = "everywhere"`, []string{"mode", "value must be one of"}},
		{`scan_frequency = "DAILY"`, []string{"scan_frequency", "value must be one of"}},
		{`on_destroy = "forget"`, []string{"on_destroy", "value must be one of"}},
		{"mode = \"repository\"\n  scan_type = \"ENHANCED\"",
			[]string{"scan_type applies only in registry mode"}},
		{"mode = \"repository\"\n  scan_frequency = \"CONTINUOUS_SCAN\"",
			[]string{"Repository mode scans only on push"}},
		{"mode = \"repository\"\n  repository_names = [\"a\"]\n  repository_filters = [\"*\"]",
			[]string{"Invalid Attribute Combination"}},
		{"mode = \"repository\"\n  repository_names = [\"Bad Name\"]",
			[]string{"Invalid ECR repository name"}},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:      enforcementConfig(srv, "  "+tc.body),
			PlanOnly:    true,
			ExpectError: errRe(tc.phrase...),
		})
	}
	enforcementTest(t, nil, steps...)
	if n := srv.CallCount("PutRegistryScanningConfiguration") +
		srv.CallCount("PutImageScanningConfiguration"); n != 0 {
		t.Errorf("%d writes for invalid input", n)
	}
}
