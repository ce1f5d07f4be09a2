#!/usr/bin/env bash
# Fill DIR with the CPython and library source tarballs that pybin builds,
# taken from Debian source packages (for machines that reach only Debian's
# archive), and write DIR/sources.json for `pybin toolchain --sources`.
#
# Each tarball is checked against the sha256 below before it is listed.
# Debian ships most upstream tarballs untouched; where it repacks one (zlib,
# zstd, mimalloc, sqlite's full tree) the hash is Debian's and differs from the recipe.
set -euo pipefail

dir=${1:?usage: scripts/offline-sources.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# component-id  source-package  upstream-version-in-debian  orig-tarball  sha256
components=(
  "cpython-3.13.5 python3.13 3.13.5 python3.13_3.13.5.orig.tar.xz 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"
  "cpython-3.11.2 python3.11 3.11.2 python3.11_3.11.2.orig.tar.gz 2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849"
  "zlib-1.3.1 zlib 1.3.dfsg+really1.3.1 zlib_1.3.dfsg+really1.3.1.orig.tar.gz 60dd315c07f616887caa029408308a018ace66e3d142726a97db164b3b8f69fb"
  "bzip2-1.0.8 bzip2 1.0.8 bzip2_1.0.8.orig.tar.gz ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269"
  "xz-5.8.1 xz-utils 5.8.1 xz-utils_5.8.1.orig.tar.xz 0b54f79df85912504de0b14aec7971e3f964491af1812d83447005807513cd9e"
  "libffi-3.4.8 libffi 3.4.8 libffi_3.4.8.orig.tar.gz cbb7f0b3b095dc506387ec1e35b891bfb4891d05b90a495bc69a10f2293f80ff"
  "openssl-3.5.7 openssl 3.5.7 openssl_3.5.7.orig.tar.gz a8c0d28a529ca480f9f36cf5792e2cd21984552a3c8e4aa11a24aa31aeac98e8"
  "sqlite-3.46.1 sqlite3 3.46.1 sqlite3_3.46.1.orig.tar.xz d0cdd2ece271b29e7ce18095745d892517ee26d0f270065b3a25c2e9eb11639c"
  "mpdecimal-4.0.1 mpdecimal 4.0.1 mpdecimal_4.0.1.orig.tar.gz 96d33abb4bb0070c7be0fed4246cd38416188325f820468214471938545b1ac8"
  "zstd-1.5.7 libzstd 1.5.7+dfsg libzstd_1.5.7+dfsg.orig.tar.xz 0c092ef267edce57ba7f3f2645c861f72eaf5e76273c6c3632869423464b90a5"
  "mimalloc-2.0.9 mimalloc 2.0.9+ds mimalloc_2.0.9+ds.orig.tar.xz cbc9d207ff105ad1f0cb739c378076143a6452b8d0624309cea0abfb040e972b"
)

have() { [ -f "$dir/$1" ] && [ "$(sha256sum "$dir/$1" | cut -d' ' -f1)" = "$2" ]; }

# Debian's binary-only apt sources get a deb-src twin (bookworm and trixie),
# derived from the machine's own apt configuration.
enable_source_packages() {
  local list=/etc/apt/sources.list.d/pybin-deb-src.sources
  [ -f "$list" ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  local uri
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  if [ -z "$uri" ]; then
    echo "offline-sources: cannot find Debian's archive in /etc/apt/sources.list.d/debian.sources" >&2
    exit 1
  fi
  printf 'Types: deb-src\nURIs: %s\nSuites: bookworm trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" |
    $sudo tee "$list" >/dev/null
  $sudo apt-get update -qq
}

missing=0
for line in "${components[@]}"; do
  read -r id pkg upstream orig sha <<<"$line"
  have "$orig" "$sha" || missing=1
done

if [ "$missing" = 1 ]; then
  enable_source_packages
  work=$(mktemp -d "$dir/.download.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  for line in "${components[@]}"; do
    read -r id pkg upstream orig sha <<<"$line"
    have "$orig" "$sha" && continue
    echo "offline-sources: $id from Debian source package $pkg" >&2
    # Any Debian revision of this upstream version carries the same orig tarball;
    # the archive drops old revisions, so try each one it lists.
    for version in $(apt-cache showsrc "$pkg" 2>/dev/null | awk '/^Version:/ { print $2 }' | grep -F -- "$upstream-" | sort -rV); do
      (cd "$work" && apt-get source --download-only -qq "$pkg=$version" >/dev/null 2>&1) || true
      [ -f "$work/$orig" ] && break
    done
    if [ ! -f "$work/$orig" ]; then
      echo "offline-sources: could not download $orig (source package $pkg, version $upstream-*)" >&2
      exit 1
    fi
    actual=$(sha256sum "$work/$orig" | cut -d' ' -f1)
    if [ "$actual" != "$sha" ]; then
      echo "offline-sources: checksum mismatch for $orig: expected $sha, got $actual" >&2
      exit 1
    fi
    mv "$work/$orig" "$dir/$orig"
  done
fi

{
  echo "{"
  sep=""
  for line in "${components[@]}"; do
    read -r id pkg upstream orig sha <<<"$line"
    printf '%s  "%s": { "path": "%s", "sha256": "%s" }' "$sep" "$id" "$orig" "$sha"
    sep=$',\n'
  done
  printf '\n}\n'
} >"$dir/sources.json.tmp"
mv "$dir/sources.json.tmp" "$dir/sources.json"
echo "$dir/sources.json"
