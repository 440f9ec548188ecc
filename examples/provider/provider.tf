terraform {
  required_providers {
    c0221 = {
      source  = "c0221/c0221"
      version = "~> 0.1"
    }
  }
}

# Credentials and Region come from the AWS SDK's default chain, as with the
# AWS provider: environment, shared files, SSO, web identity, instance roles.
provider "c0221" {
  region = "eu-west-1"

  # Optional: read and enforce through a role in the registry's account.
  # assume_role {
  #   role_arn     = "arn:aws:iam::123456789012:role/ecr-scanning-audit"
  #   session_name = "terraform-c0221"
  # }
}
