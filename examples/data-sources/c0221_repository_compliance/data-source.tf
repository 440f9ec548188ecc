# Fail the plan when any repository in the registry is not scanned.
data "c0221_repository_compliance" "all" {}

# A narrower check: production repositories only, continuous scanning
# required, one accepted exception and one repository covered by another
# scanner. Failures are warnings instead of errors.
data "c0221_repository_compliance" "production" {
  repository_filters         = ["prod-*"]
  exclude_repository_filters = ["prod-sandbox*"]
  minimum_scan_frequency     = "CONTINUOUS_SCAN"
  on_failure                 = "warning"
  report_detail              = "noncompliant"

  exemption {
    repository = "prod-legacy-batch"
    reason     = "Decommissioned in Q1; no new images are pushed"
    expires    = "2027-03-31"
  }

  third_party_scanner {
    name               = "Trivy in CI"
    repository_filters = ["prod-ml-*"]
  }
}

output "noncompliant" {
  value = data.c0221_repository_compliance.production.noncompliant_repository_names
}
