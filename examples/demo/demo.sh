#!/usr/bin/env bash
# make demo: serve the sample registry on a local ECR endpoint and run
# terraform plan on this directory through dev_overrides (Terraform says to
# skip init with dev_overrides, and init would ask the registry). No AWS account,
# no network. Succeeds when the plan fails for the expected repositories.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${BUILD_DIR:?run through make demo}"
tf="${TERRAFORM:-$(command -v terraform || command -v tofu || true)}"
[[ -n "$tf" ]] || { echo "demo: install Terraform >= 1.5 or OpenTofu >= 1.6 first" >&2; exit 1; }

work="$(mktemp -d)"
cleanup() {
  [[ -n "${emulator_pid:-}" ]] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$build/ecr-emulator" -seed "$here/registry.json" -url-file "$work/url" &
emulator_pid=$!
for _ in $(seq 100); do [[ -s "$work/url" ]] && break; sleep 0.1; done
[[ -s "$work/url" ]] || { echo "demo: the ECR emulator did not start" >&2; exit 1; }
echo "ECR emulator serving the sample registry at $(cat "$work/url")"

cat > "$work/terraformrc" <<CONFIG
provider_installation {
  dev_overrides {
    "registry.terraform.io/c0221/c0221" = "$build"
    "registry.opentofu.org/c0221/c0221" = "$build"
  }
  direct {}
}
CONFIG

export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1 TF_DATA_DIR="$work/tfdata"
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIADEMO000000000000 AWS_SECRET_ACCESS_KEY=demo
export AWS_ENDPOINT_URL_ECR="$(cat "$work/url")" AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN

echo "\$ terraform plan   (in examples/demo)"
set +e
"$tf" -chdir="$here" plan -input=false -no-color 2>&1 |
  tee "$work/plan.log"
status=${PIPESTATUS[0]}
set -e

if [[ $status -ne 0 ]] && grep -q "batch/nightly" "$work/plan.log" && grep -q "data/etl" "$work/plan.log"; then
  echo
  echo "demo: the plan failed as it should. Of the 8 repositories, 4 are scanned (a registry"
  echo "rule or their own flag), sandbox/experiments is exempt and ml/training is covered by a"
  echo "third-party scanner (see main.tf); batch/nightly and data/etl are not scanned at all."
  exit 0
fi
echo "demo: expected the plan to fail naming batch/nightly and data/etl (exit $status)" >&2
exit 1
