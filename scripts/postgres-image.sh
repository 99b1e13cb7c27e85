#!/usr/bin/env bash
# Builds the PostgreSQL image the testcontainers fallback runs (test/helpers/postgres-container.ts)
# without an image registry: Debian bookworm with postgresql-15 from the Debian mirror apt uses
# (debootstrap), imported with `docker import`. Does nothing when the image exists already.
#   scripts/postgres-image.sh [NAME]     (default kms-test-postgres:15; needs root, debootstrap, docker)
set -euo pipefail
name="${1:-${KMS_TEST_POSTGRES_IMAGE:-kms-test-postgres:15}}"
if docker image inspect "$name" >/dev/null 2>&1; then
  echo "$name: present"
  exit 0
fi
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=postgresql-15 bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -n 20 "$root.log" >&2
  exit 1
}
rm -f "$root.log"
# No package caches or lists in the image: they are only needed to build it.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$name" >/dev/null
echo "$name: built"
