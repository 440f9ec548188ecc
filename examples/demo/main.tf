# The demo's configuration: the sample registry in registry.json, judged
# against control C-0221. `make demo` serves that registry on a local ECR
# endpoint and runs `terraform plan` here; the plan fails and names
# data/etl and batch/nightly, which no registry rule scans.
terraform {
  required_providers {
    c0221 = {
      source = "c0221/c0221"
    }
  }
}

# Region, credentials and the local endpoint come from the environment
# (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL_ECR), as they would for
# any AWS SDK program.
provider "c0221" {}

data "c0221_repository_compliance" "registry" {
  exemption {
    repository = "sandbox/experiments"
    reason     = "Throw-away images, never deployed to EKS"
  }

  third_party_scanner {
    name               = "Trivy in the ML pipeline"
    repository_filters = ["ml/*"]
  }
}

output "summary" {
  value = data.c0221_repository_compliance.registry.summary
}
