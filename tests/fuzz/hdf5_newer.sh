#!/bin/bash
# tests/fuzz/hdf5_newer.sh [WORK]
# Are the HDF5 findings still open (tests/fuzz/open/hdf5_images) fixed in a newer HDF5? Debian 12
# ships 1.10.8; Debian 13 (trixie) ships 1.14.5. This fetches trixie's HDF5 source package (deb-src
# from deb.debian.org, in a private apt state under WORK: the machine's apt setup is not touched),
# builds it parallel (OpenMPI) with clang and the fuzz build's sanitizers, so that ASan and UBSan
# see inside HDF5 too, builds the HDF5 harnesses against it, and replays the open inputs plus the
# hdf5_images, checkpoint and score_file corpora and regressions, one file at a time.
# About 10 minutes on 2 cores; WORK defaults to /tmp/hierad-hdf5-newer. Exit 0 when every input
# passes. Not part of ctest: it downloads a source package.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-/tmp/hierad-hdf5-newer}
mkdir -p "$work/apt/lists/partial" "$work/src"
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

echo "deb-src http://deb.debian.org/debian trixie main" >"$work/apt/sources.list"
apt_opts=(-o Dir::Etc::sourcelist="$work/apt/sources.list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$work/apt/lists")
apt-get "${apt_opts[@]}" update >/dev/null
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only hdf5 >/dev/null 2>&1)
tarball=$(ls "$work"/src/hdf5_*.orig.tar.* | head -1)
version=$(basename "$tarball" | sed -E 's/hdf5_([0-9.]+).*/\1/')
src="$work/src/hdf5-$version"
[ -d "$src" ] || { mkdir -p "$src" && tar xf "$tarball" -C "$src" --strip-components=1; }
echo "[hdf5_newer] HDF5 $version from trixie's source package"

# mpicc drives clang only when OMPI_CC says so, at configure and at build time alike.
export OMPI_CC=clang
if [ ! -f "$work/hdf5/cmake/hdf5-config.cmake" ]; then
  cmake -S "$src" -B "$work/hdf5-build" -G Ninja -DCMAKE_C_COMPILER=mpicc -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_INSTALL_PREFIX="$work/hdf5" -DCMAKE_C_FLAGS="$sanitize -O1 -g" \
    -DCMAKE_EXE_LINKER_FLAGS="$sanitize" -DCMAKE_SHARED_LINKER_FLAGS="$sanitize" \
    -DHDF5_ENABLE_PARALLEL=ON -DHDF5_ENABLE_Z_LIB_SUPPORT=ON -DHDF5_ENABLE_SZIP_SUPPORT=OFF -DBUILD_STATIC_LIBS=OFF \
    -DBUILD_TESTING=OFF -DHDF5_BUILD_TOOLS=OFF -DHDF5_BUILD_EXAMPLES=OFF -DHDF5_BUILD_HL_LIB=OFF \
    -DHDF5_BUILD_FORTRAN=OFF -DHDF5_BUILD_CPP_LIB=OFF -DHDF5_BUILD_JAVA=OFF >"$work/hdf5-configure.log"
  ninja -C "$work/hdf5-build" install >"$work/hdf5-build.log"
fi

CC=clang CXX=clang++ cmake -S "$root" -B "$work/fuzz-build" -G Ninja -DHIERAD_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHDF5_ROOT="$work/hdf5" -DHDF5_PREFER_PARALLEL=ON >"$work/fuzz-configure.log"
grep -q "found version \"$version\"" "$work/fuzz-configure.log" || { echo "hierad did not find HDF5 $version" >&2; exit 1; }
harnesses=(hdf5_images checkpoint score_file)
ninja -C "$work/fuzz-build" "${harnesses[@]/#/fuzz_}" >/dev/null

export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1:max_allocation_size_mb=2048"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LD_LIBRARY_PATH="$work/hdf5/lib" TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"
failed=0
for h in "${harnesses[@]}"; do
  inputs=("$here"/corpus/"$h"/* "$here"/regressions/"$h"/*)
  [ -d "$here/open/$h" ] && inputs+=("$here"/open/"$h"/*)
  bad=0
  # One file per run: a folder argument would make libFuzzer fuzz (and write into) it.
  for f in "${inputs[@]}"; do
    if ! timeout 60 "$work/fuzz-build/tests/fuzz/fuzz_$h" "$f" >"$work/last.log" 2>&1; then
      bad=$((bad + 1))
      echo "  FAILS: $f ($(grep -m1 -oE 'AddressSanitizer: [a-z-]+|SEGV|runtime error.*' "$work/last.log" || echo "exit $?"))"
    fi
  done
  echo "[hdf5_newer] HDF5 $version, $h: ${#inputs[@]} inputs, $bad failing"
  failed=$((failed + bad))
done
exit $((failed > 0))
