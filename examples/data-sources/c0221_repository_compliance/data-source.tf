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

# The latest-image vulnerability gate: fail the plan when the newest image of
# a production repository has a HIGH or CRITICAL finding, a scan that failed,
# is stale or was never run. One accepted vulnerability is ignored until it
# expires.
data "c0221_repository_compliance" "images" {
  repository_filters = ["prod-*"]

  image_findings {
    severity_threshold    = "HIGH"
    undefined_severity_as = "MEDIUM"
    unsupported_image     = "warn"
    pending_grace_period  = "30m"
    max_scan_age          = "7d"

    ignored_vulnerability {
      id      = "CVE-2024-3094"
      reason  = "liblzma is in the base image but never loaded by the service"
      expires = "2027-06-30"
    }
  }
}

output "latest_images" {
  value = {
    for r in data.c0221_repository_compliance.images.repositories :
    r.name => r.latest_image.scan_state
  }
}
