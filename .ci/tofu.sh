#!/usr/bin/env bash
# Builds OpenTofu from the Go module proxy once and caches the binary outside
# the repository; prints the binary's path. Used by .ci/run.
set -euo pipefail

version="${TOFU_VERSION:-v1.10.7}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-c0221/tofu-$version"
bin="$cache/tofu"

if [[ ! -x "$bin" ]]; then
  echo "building OpenTofu $version from the Go module proxy (a few minutes, once)" >&2
  go mod download "github.com/opentofu/opentofu@$version" >&2
  src="$(go env GOMODCACHE)/github.com/opentofu/opentofu@$version"
  work="$(mktemp -d)"
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  cp -r "$src/." "$work/"
  chmod -R u+w "$work"
  mkdir -p "$cache"
  (cd "$work" && go build -o "$bin.tmp" ./cmd/tofu >&2)
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
