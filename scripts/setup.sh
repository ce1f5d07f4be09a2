#!/usr/bin/env bash
# Make this checkout ready to build and test on a Debian/Ubuntu machine:
# build tools for the interpreters (apt), node modules (npm ci), and the
# source tarballs from Debian's archive (.pybin-sources/, for --sources).
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# The aarch64 cross build (test/e2e/aarch64.test.ts): Debian's cross gcc and
# binutils, musl for arm64 (a foreign-architecture package), the arm64 kernel
# headers and qemu to run the results.
packages=(musl-tools gcc pkg-config make patch perl tcl autoconf automake libtool binutils linux-libc-dev xz-utils openssl strace
  gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu musl-dev:arm64 linux-libc-dev-arm64-cross qemu-user-static)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
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
