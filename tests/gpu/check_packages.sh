#!/usr/bin/env bash
# Proves, on the CPU machine, that debian-packages.txt is all the GPU machine needs from Debian:
# in a private mount namespace every file those packages installed on this machine is hidden
# (/dev/null bound over it), so a header, CMake file, library or plugin that is not in the unpacked
# prefix fails the check instead of being found in /usr. Then, from the prefix only:
#   - configure hierad (against this machine's LibTorch) and build the targets that use each
#     Debian dependency (MPI, parallel HDF5, matio, stb, JPEG, PNG, zlib, TOML++, spdlog, fmt, CLI11, GTest);
#   - run them, a 2-rank HDF5 write under the prefix's mpirun among them;
#   - run the full hierad binary of BUILD_DIR (every library it loads) on 1 and 2 ranks.
#
#   tests/gpu/check_packages.sh [BUILD_DIR]       # as root (mount namespaces); default <repo>/build
set -euo pipefail
[[ -n "${HIERAD_TRACE:-}" ]] && set -x
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
work=${HIERAD_GPU_CHECK_DIR:-$build/gpu-packages}
torch_dir=$(sed -n 's/^Torch_DIR:[A-Z]*=//p' "$build/CMakeCache.txt")
[[ -x "$build/hierad" && -n "$torch_dir" ]] || { echo "check_packages: $build holds no configured hierad build" >&2; exit 1; }

source "$here/deps_env.sh"
if [[ -z "${HIERAD_IN_NAMESPACE:-}" ]]; then
  "$here/fetch_debs.sh"
  deps_unpack "$here/debs" "$work/prefix"   # before hiding: dpkg-deb itself needs zlib
  exec env HIERAD_IN_NAMESPACE=1 unshare --mount --propagation private "$0" "$build"
fi

# --- Hide what the listed packages put on this machine.
mapfile -t packages < <(sed -e 's/#.*//' "$here/debian-packages.txt" | tr -s ' \t' '\n' | sed '/^$/d')
hidden=0
while IFS= read -r path; do
  [[ -f "$path" && ! -L "$path" ]] || continue
  mount --bind /dev/null "$path" && hidden=$((hidden + 1))
done < <(dpkg -L "${packages[@]}" 2>/dev/null | grep -E '^/(usr/)?(lib|include|bin|share/openmpi|share/cmake|share/hdf5)/' | sort -u)
echo "[check_packages] hid $hidden files of ${#packages[@]} packages"
# Sanity: the hiding works (an OpenMPI header read through /usr is now empty).
[[ ! -s /usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h ]] || { echo "check_packages: hiding failed" >&2; exit 1; }

# --- Use the prefix.
deps_env "$work/prefix"
targets=(hierad_data_tests storage_h5_io_test storage_score_mpi_writer storage_score_compare config_test)
rm -rf "$work/build"   # a fresh configure: nothing cached from a run with other packages
if ! cmake -S "$repo" -B "$work/build" -G Ninja -DTorch_DIR="$torch_dir" -DCMAKE_BUILD_TYPE=Debug \
     -DCMAKE_CXX_FLAGS_DEBUG=-O0 "${DEPS_CMAKE_ARGS[@]}" >"$work/configure.log" 2>&1; then
  cat "$work/configure.log" >&2; exit 1
fi
# Every dependency must have come from the prefix.
outside=$(grep -E '^(MPI_C_HEADER_DIR|MPI_mpi_LIBRARY|HDF5_C_INCLUDE_DIR|HDF5_C_LIBRARY_hdf5|MATIO_INCLUDE_DIR|MATIO_LIBRARY|STB_INCLUDE_DIR|STB_LIBRARY|JPEG_INCLUDE_DIR|JPEG_CONFIG_INCLUDE_DIR|JPEG_LIBRARY_RELEASE|PNG_LIBRARY_RELEASE|ZLIB_LIBRARY_RELEASE|tomlplusplus_DIR|CLI11_DIR|spdlog_DIR|fmt_DIR|GTest_DIR):' \
          "$work/build/CMakeCache.txt" | grep -v "$work/prefix" || true)
[[ -z "$outside" ]] || { echo "check_packages: found outside the prefix:" >&2; echo "$outside" >&2; exit 1; }
ninja -C "$work/build" -j "$(nproc)" --quiet "${targets[@]}"
echo "[check_packages] built ${targets[*]} from the prefix"

cd "$work/build"
tests/storage/storage_h5_io_test --gtest_brief=1
tests/config/config_test --gtest_brief=1
tests/data/hierad_data_tests --gtest_brief=1
rm -f "$work"/scores_np*.h5
mpirun -np 1 tests/storage/storage_score_mpi_writer "$work/scores_np1.h5"
mpirun -np 2 tests/storage/storage_score_mpi_writer "$work/scores_np2.h5"
tests/storage/storage_score_compare "$work/scores_np1.h5" "$work/scores_np2.h5" 2
"$build/hierad" info >"$work/info.txt"
mpirun -np 2 "$build/hierad" info >"$work/info2.txt"
grep -q '^ranks *2' "$work/info2.txt" || { echo "check_packages: mpirun -np 2 did not give 2 ranks" >&2; exit 1; }
sed -n '/^MPI/p; /^HDF5/p' "$work/info.txt"

# What the binaries load from outside the prefix, LibTorch and CUDA must be in every glibc image
# (Ubuntu's names carry a t64 suffix; the sonames are Debian's). Anything else is missing from the list.
base_system="libc6 libstdc++6 libgcc-s1 zlib1g libssl3 libzstd1 liblzma5 libbz2-1.0 libcrypt1 libffi8
  libgnutls30 libnettle8 libhogweed6 libgmp10 libtasn1-6 libp11-kit0 libidn2-0 libunistring2 libudev1 libcom-err2"
loaded=$(for binary in "$build/hierad" tests/data/hierad_data_tests tests/storage/storage_h5_io_test; do
           ldd "$binary"; done | awk '$2 == "=>" {print $3}' | sort -u)
if grep -q 'not found' <<<"$loaded"; then echo "check_packages: unresolved libraries" >&2; exit 1; fi
foreign=()
for lib in $(grep -v -E "^($work/prefix|${torch_dir%%/torch/*})" <<<"$loaded"); do
  real=$(realpath "$lib")
  # The CUDA toolkit, judged by the real path: it is also reached through links elsewhere
  # (/usr/local/lib/libcudart.so.13 -> /usr/local/cuda-13.0/... on the CI machine)
  [[ $real == /usr/local/cuda* ]] && continue
  # usrmerge: dpkg may know the file as /lib/... or /usr/lib/...
  package=$( (dpkg -S "$lib" || dpkg -S "$real" || dpkg -S "${real#/usr}") 2>/dev/null | head -1 | cut -d: -f1 || true)
  [[ " $(echo $base_system) " == *" ${package:-?} "* ]] || foreign+=("$lib (${package:-no package})")
done
((${#foreign[@]} == 0)) || { printf 'check_packages: loaded from the host: %s\n' "${foreign[@]}" >&2; exit 1; }
echo "[check_packages] OK: the packages of debian-packages.txt are all hierad needs from Debian"
