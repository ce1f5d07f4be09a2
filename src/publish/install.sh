#!/bin/sh
# Installs a pybin release's binary for this machine: checks its sha256
# against the release's SHA256SUMS and that it starts here before it is
# moved into place. Written by pybin from src/publish/install.sh.
set -eu

name=__PYBIN_NAME__
download_url=__PYBIN_DOWNLOAD_URL__

# One line per failure, even when a tool's message spans several.
die() { printf 'install.sh: %s\n' "$(printf '%s' "$*" | tr '\n' ' ')" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: sh install.sh [--to DIR] [--help]
Installs $name for this machine from $download_url
  --to DIR  where to install (default: \${XDG_BIN_HOME:-\$HOME/.local/bin})
EOF
}

to=
while [ $# -gt 0 ]; do
  case $1 in
    --to) [ $# -ge 2 ] && [ -n "$2" ] || die "--to needs a directory"; to=$2; shift 2 ;;
    --to=*) to=${1#--to=}; [ -n "$to" ] || die "--to needs a directory"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
if [ -z "$to" ]; then
  to=${XDG_BIN_HOME:-}
  [ -n "$to" ] || [ -n "${HOME:-}" ] || die "HOME is not set: pass --to DIR"
  to=${to:-$HOME/.local/bin}
fi

# musl may be installed beside glibc (musl-tools): ask for glibc first.
libc() {
  if getconf GNU_LIBC_VERSION >/dev/null 2>&1; then echo glibc; return; fi
  if ldd --version 2>&1 | grep -qi musl; then echo musl; return; fi
  for loader in /lib/ld-musl-*.so.1; do
    if [ -e "$loader" ]; then echo musl; return; fi
  done
  echo unknown
}

kernel=$(uname -s)
case $kernel in
  Linux) os=linux ;;
  Darwin) die "macOS binaries are not published by pybin yet" ;;
  *) die "unsupported OS: $kernel (pybin publishes Linux binaries only)" ;;
esac
machine=$(uname -m)
case $machine in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) die "unsupported CPU architecture: $machine (supported: x86_64, aarch64)" ;;
esac
binary=$name-$os-$arch

if command -v curl >/dev/null 2>&1; then
  # --proto keeps redirects on the scheme of download_url: no https -> http downgrade.
  download() { curl -fsSL --show-error --retry 3 --proto "=${download_url%%:*}" -o "$2" "$1" 2>&1; }
elif command -v wget >/dev/null 2>&1; then
  # BusyBox wget (Alpine's only downloader) has no --tries: retry here.
  download() { wget -q -O "$2" "$1" 2>&1 || { sleep 1; wget -q -O "$2" "$1" 2>&1; } || { sleep 2; wget -q -O "$2" "$1" 2>&1; }; }
else
  die "neither curl nor wget is installed: install one and run again"
fi
fetch() { error=$(download "$download_url/$1" "$tmp/$1") || die "cannot download $download_url/$1: $error"; }

if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1"; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1"; }
else
  die "neither sha256sum nor shasum is installed: cannot verify the download"
fi

tmp=$(mktemp -d) || die "cannot make a temporary directory"
partial=
trap 'rm -rf "$tmp" ${partial:+"$partial"}' EXIT
trap 'exit 1' HUP INT TERM

fetch SHA256SUMS
# sha256sum -b writes "*file"; both forms name the same file.
expected=$(awk -v file="$binary" '$2 == file || $2 == "*" file { print $1; exit }' "$tmp/SHA256SUMS")
if [ -z "$expected" ]; then
  published=$(awk -v prefix="$name-" '{ sub(/^\*/, "", $2) }
    index($2, prefix) == 1 && substr($2, length(prefix) + 1) !~ /\./ { printf "%s%s", sep, $2; sep = ", " }' "$tmp/SHA256SUMS")
  die "this release has no binary for $os-$arch (no $binary in SHA256SUMS); it has: ${published:-none}"
fi

fetch "$binary"
got=$(sha256 "$tmp/$binary")
got=${got%% *}
[ "$got" = "$expected" ] || die "sha256 mismatch for $binary: expected $expected, got $got; nothing installed"

chmod 755 "$tmp/$binary"
if ! error=$(PYBIN_INTERPRETER=1 "$tmp/$binary" -c '' 2>&1 </dev/null); then
  case $(libc):$error in
    musl:*) hint="it needs glibc, and this machine uses musl libc" ;;
    *GLIBC_*) hint="it needs a newer glibc than this machine's $(getconf GNU_LIBC_VERSION 2>/dev/null || echo glibc)" ;;
    *"ermission denied"*) hint="is $tmp on a noexec mount? set TMPDIR to another directory" ;;
    *) hint="" ;;
  esac
  die "$binary does not start on this machine${hint:+ ($hint)}: $error; nothing installed"
fi

error=$(mkdir -p -- "$to" 2>&1) || die "cannot create $to: $error"
to=$(CDPATH='' cd -- "$to" && pwd)
# Copied in beside the target, then renamed: a rename within one directory is
# atomic, so a running $name is never replaced by a half-written file.
partial=$to/.$name.install.$$
error=$(cp "$tmp/$binary" "$partial" 2>&1 && chmod 755 "$partial" && mv -f "$partial" "$to/$name" 2>&1) ||
  die "cannot install into $to: $error"
partial=
echo "installed $to/$name"
case :${PATH:-}: in
  *:"$to":* | *:"$to/":*) ;;
  *) printf 'install.sh: warning: %s is not on PATH; add it: export PATH="%s:$PATH"\n' "$to" "$to" >&2 ;;
esac
