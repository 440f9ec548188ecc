# Registry mode (the default): merge "*" into the registry's SCAN_ON_PUSH
# rule, so every repository, including ones created later, is scanned on
# push. Other rules and filters in the registry are kept. Destroy removes
# only what this resource added.
resource "c0221_scan_enforcement" "registry" {
  repository_filters = ["*"]
}

# Continuous scanning of production repositories needs ENHANCED scanning
# (Amazon Inspector, billed separately). Destroy puts the scan type back
# only if this resource changed it and no remaining rule needs it.
resource "c0221_scan_enforcement" "production" {
  region             = "eu-west-1"
  scan_type          = "ENHANCED"
  scan_frequency     = "CONTINUOUS_SCAN"
  repository_filters = ["prod-*"]
  on_destroy         = "retain"
}

# Repository mode: set the legacy scanOnPush flag, the flag Kubescape's
# C-0221 rule reads, on each repository the filters select. Repositories
# created later that match show as a change in the next plan.
resource "c0221_scan_enforcement" "team_a" {
  mode               = "repository"
  repository_filters = ["team-a/*"]
}

# Or on exact repository names.
resource "c0221_scan_enforcement" "legacy" {
  mode             = "repository"
  repository_names = ["billing", "billing-worker"]
}

output "covered" {
  value = c0221_scan_enforcement.registry.covered_repository_names
}
