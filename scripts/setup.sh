#!/usr/bin/env bash
# Make this checkout ready to build and test on a Debian/Ubuntu machine:
# build tools for the interpreters (apt), node modules (npm ci), and the
# source tarballs from Debian's archive (.pybin-sources/, for --sources).
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(musl-tools gcc pkg-config make patch perl tcl autoconf automake libtool binutils linux-libc-dev xz-utils openssl strace)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi

scripts/offline-sources.sh .pybin-sources >/dev/null
