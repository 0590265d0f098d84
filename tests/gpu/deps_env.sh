# Sourced by run.sh and check_packages.sh: Debian's packages, unpacked into a prefix instead of
# installed, made usable from there. The GPU machine has no Debian packages and no network; a deb
# unpacked with dpkg -x runs no maintainer script, so what those scripts would do is done here:
# alternatives (mpicc -> mpicc.openmpi), absolute symlinks, and the install prefix compiled into
# OpenMPI and written into HDF5's compiler wrapper.

# deps_unpack DEBS_DIR PREFIX: unpacks every .deb of DEBS_DIR into PREFIX (once per set of debs).
deps_unpack() {
  local debs=$1 prefix=$2 deb link target stamp
  # The stamp: which debs, and this file's own steps (a change to them must re-unpack).
  stamp=$( (cd "$debs" && ls -- *.deb; cat "${BASH_SOURCE[0]}") | md5sum | cut -c1-32)
  [[ -f "$prefix/.complete" && "$(cat "$prefix/.complete")" == "$stamp" ]] && return 0
  ls "$debs"/*.deb >/dev/null 2>&1 || { echo "deps_unpack: no .deb files in $debs (run tests/gpu/fetch_debs.sh)" >&2; return 1; }
  rm -rf "$prefix" && mkdir -p "$prefix"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$prefix" 2>/dev/null || deps_extract "$deb" "$prefix"; done
  # Absolute links (libz.so -> /lib/x86_64-linux-gnu/libz.so.1.2.13) would leave the prefix.
  while IFS= read -r link; do
    target=$(readlink "$link")
    ln -sfn "$prefix$target" "$link"
  done < <(find "$prefix" -type l -lname '/*')
  # What update-alternatives would link: the plain names of OpenMPI's and HDF5's tools.
  for link in "$prefix"/usr/bin/*.openmpi; do ln -sfn "$(basename "$link")" "${link%.openmpi}"; done
  for link in "$prefix"/usr/lib/libpsm1/libpsm_infinipath.so.1.*; do   # OpenMPI's PSM plugin loads it
    [[ -e $link ]] && ln -sfn "$link" "$prefix/usr/lib/x86_64-linux-gnu/libpsm_infinipath.so.1"
  done
  # h5pcc: the prefix; and no -lcrypto -lcurl (for static linking of libhdf5, which we do not do:
  # the shared libhdf5 loads its own libcurl, and the -dev links of both would need two more packages).
  sed -i -e "s|^prefix=\"/usr\"|prefix=\"$prefix/usr\"|" -e 's/-lcrypto -lcurl //' "$prefix/usr/bin/h5pcc.openmpi"
  echo "$stamp" >"$prefix/.complete"
}

# A machine without dpkg-deb: a .deb is an ar archive holding data.tar.{xz,zst,gz}.
deps_extract() {
  local deb=$1 prefix=$2 tmp member
  tmp=$(mktemp -d)
  (cd "$tmp" && ar x "$deb")
  member=$(ls "$tmp"/data.tar.*)
  tar -xf "$member" -C "$prefix"
  rm -rf "$tmp"
}

# deps_env PREFIX: the environment and CMake arguments that make the build and the binaries use it.
# Sets the array DEPS_CMAKE_ARGS.
deps_env() {
  local prefix=$1 arch=x86_64-linux-gnu
  export PATH="$prefix/usr/bin:$PATH"
  export LD_LIBRARY_PATH="$prefix/usr/lib/$arch:$prefix/lib/$arch:$prefix/usr/lib/$arch/openmpi/lib:$prefix/usr/lib/$arch/hdf5/openmpi:${LD_LIBRARY_PATH:-}"
  # The compiler's own search path at link time (-lz, -lsz of the wrappers), and shared HDF5 in
  # h5pcc's test programs, as CMake links it.
  export LIBRARY_PATH="$prefix/usr/lib/$arch:$prefix/lib/$arch:${LIBRARY_PATH:-}"
  export HDF5_USE_SHLIB=yes
  # OpenMPI finds its plugins, help files and wrapper data under OPAL_PREFIX instead of /usr.
  export OPAL_PREFIX="$prefix/usr"
  export OPAL_LIBDIR="$prefix/usr/lib/$arch/openmpi/lib"
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  # One node, no ssh: start local daemons only; PMIx's shared-memory store can fail in a VM.
  export OMPI_MCA_plm_rsh_agent=false PMIX_MCA_gds=hash
  DEPS_CMAKE_ARGS=(
    -DCMAKE_PREFIX_PATH="$prefix/usr"
    -DMPI_C_COMPILER="$prefix/usr/bin/mpicc.openmpi"
    -DMPIEXEC_EXECUTABLE="$prefix/usr/bin/mpirun.openmpi"
    -DHDF5_C_COMPILER_EXECUTABLE="$prefix/usr/bin/h5pcc.openmpi"
  )
}
