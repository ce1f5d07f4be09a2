#!/usr/bin/env bash
# Make this checkout ready to build and test on a Debian/Ubuntu machine:
# build tools for the interpreters (apt), node modules (npm ci), and the
# source tarballs from Debian's archive (.pybin-sources/, for --sources).
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(musl-tools gcc pkg-config make patch perl tcl autoconf automake libtool binutils linux-libc-dev xz-utils openssl strace)
# The aarch64 cross build (test/e2e/aarch64.test.ts): Debian's cross gcc and
# binutils, musl for arm64 (a foreign-architecture package), the arm64 kernel
# headers and qemu to run the results.
cross_packages=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu musl-dev:arm64 linux-libc-dev-arm64-cross qemu-user-static)
missing_of() {
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || echo "$package"
  done
}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
mapfile -t missing < <(missing_of "${packages[@]}")
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Where apt has no arm64 packages (Ubuntu's x86_64 archive keeps them on a
# separate "ports" archive), the cross packages cannot be had: the architecture
# is removed again so that apt keeps working, and the aarch64 tests skip, saying why.
mapfile -t cross_missing < <(missing_of "${cross_packages[@]}")
if [ "${#cross_missing[@]}" -gt 0 ]; then
  echo "setup: installing ${cross_missing[*]}" >&2
  added=""
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
    added=1
  fi
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${cross_missing[@]}" >/dev/null; }; then
    if [ -n "$added" ]; then
      $sudo dpkg --remove-architecture arm64 || true
      $sudo apt-get update -qq || true
    fi
    echo "setup: warning: could not install ${cross_missing[*]} (does apt serve arm64 packages here?): the aarch64 tests will be skipped" >&2
  fi
fi

# aarch64 programs that start aarch64 programs (subprocess, multiprocessing)
# need the kernel to hand them to qemu; best effort: where binfmt_misc cannot
# be mounted (some containers), the tests skip those checks, saying why.
# The entry is qemu-user-static's own (/usr/share/binfmts/qemu-aarch64), written
# directly: update-binfmts (binfmt-support) need not be installed.
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  mountpoint -q /proc/sys/fs/binfmt_misc || $sudo mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
  if [ -w /proc/sys/fs/binfmt_misc/register ] || [ -n "$sudo" ]; then
    magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
    mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
    echo ":qemu-aarch64:M::$magic:$mask:/usr/bin/qemu-aarch64-static:F" | $sudo tee /proc/sys/fs/binfmt_misc/register >/dev/null 2>&1 || true
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi

scripts/offline-sources.sh .pybin-sources >/dev/null
