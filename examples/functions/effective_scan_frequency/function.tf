# Read the registry rules only (no repository is checked) ...
data "c0221_repository_compliance" "rules" {
  repository_names = []
}

# ... and fail the plan before a repository that no rule would scan is created.
resource "terraform_data" "payments_repository" {
  input = "payments/api"

  lifecycle {
    precondition {
      condition = provider::c0221::effective_scan_frequency(
        data.c0221_repository_compliance.rules.scan_type,
        data.c0221_repository_compliance.rules.registry_rules,
        "payments/api",
        false,
      ) != "MANUAL"
      error_message = "No ECR registry scanning rule covers payments/api: add a filter to c0221_scan_enforcement first."
    }
  }
}
