#!/usr/bin/env bash
# Downloads the .deb files of debian-packages.txt (this machine's Debian 12 versions) into
# tests/gpu/debs/ (ignored by git; the device tool carries it: carry = ["tests/gpu/debs"]).
# Idempotent: apt-get download skips files already there. About 20 MB.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mapfile -t packages < <(sed -e 's/#.*//' "$here/debian-packages.txt" | tr -s ' \t' '\n' | sed '/^$/d')
mkdir -p "$here/debs"
cd "$here/debs"
apt-get download -qq "${packages[@]}" 2>/dev/null || { apt-get update -qq && apt-get download -qq "${packages[@]}"; }
# A package whose version moved on leaves its old file behind: keep one file per package.
for p in "${packages[@]}"; do
  mapfile -t files < <(ls -t "${p}"_*.deb 2>/dev/null)
  ((${#files[@]} > 1)) && rm -f "${files[@]:1}"
done
echo "[fetch_debs] ${#packages[@]} packages, $(du -sh . | cut -f1) in $here/debs"
