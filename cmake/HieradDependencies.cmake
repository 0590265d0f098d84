# Finds every external dependency once and exposes it as an imported target.
# Layers link only what they use, so analysis/ and storage/ never see LibTorch's headers.

# --- LibTorch 2.x (PyPI's torch wheel via launch/setup, or any LibTorch through Torch_DIR /
#     CMAKE_PREFIX_PATH). Torch's CUDA cmake asks for TORCH_CUDA_ARCH_LIST when it cannot see a GPU;
#     9.0 is the H200 of our GPU machines and only matters for CUDA code we would compile ourselves.
if(NOT HIERAD_FUZZ)  # the fuzz build has no LibTorch (CMakeLists.txt)
if(NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST} AND NOT TORCH_CUDA_ARCH_LIST)
  set(TORCH_CUDA_ARCH_LIST "9.0")
endif()
# CMP0104 OLD: enable_language(CUDA) inside TorchConfig then leaves CMAKE_CUDA_ARCHITECTURES unset,
# which Torch's cuda.cmake would otherwise warn about (it uses TORCH_CUDA_ARCH_LIST instead).
cmake_policy(SET CMP0104 OLD)
find_package(Torch 2.0 REQUIRED)
message(STATUS "hierad: LibTorch ${Torch_VERSION} from ${TORCH_INSTALL_PREFIX}")

# A wheel's libtorch finds its NVIDIA libraries through RUNPATH entries $ORIGIN/../../nvidia/*/lib.
# The linker ignores a library's RUNPATH as soon as the link line has its own -rpath (CMake always
# adds one), and would then resolve libnccl.so.2 from /usr/local/cuda (an older NCCL, missing symbols).
# -rpath-link restores the wheel's own choice at link time; at run time the RUNPATHs do it.
file(GLOB HIERAD_WHEEL_NVIDIA_LIBS LIST_DIRECTORIES true "${TORCH_INSTALL_PREFIX}/../nvidia/*/lib")
add_library(hierad_torch INTERFACE)
target_link_libraries(hierad_torch INTERFACE torch)
if(HIERAD_WHEEL_NVIDIA_LIBS)
  list(JOIN HIERAD_WHEEL_NVIDIA_LIBS ":" _hierad_rpath_link)
  target_link_options(hierad_torch INTERFACE "LINKER:-rpath-link,${_hierad_rpath_link}")
endif()
set(HIERAD_TORCH_HAS_CUDA OFF)
if(TARGET torch_cuda OR TORCH_LIBRARIES MATCHES "c10_cuda")
  set(HIERAD_TORCH_HAS_CUDA ON)
endif()
endif()  # NOT HIERAD_FUZZ

# --- MPI (OpenMPI). The C API only: the deprecated C++ bindings would need libmpi_cxx.
find_package(MPI REQUIRED COMPONENTS C)
target_compile_definitions(MPI::MPI_C INTERFACE OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)

# --- HDF5, parallel build required (checkpoints and score files are written collectively).
set(HDF5_PREFER_PARALLEL TRUE)  # FindHDF5 would otherwise pick the serial h5cc when both exist
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "hierad needs the parallel HDF5 build (Debian: libhdf5-openmpi-dev); "
                      "found a serial one at ${HDF5_INCLUDE_DIRS}")
endif()
add_library(hierad_hdf5 INTERFACE)
target_link_libraries(hierad_hdf5 INTERFACE HDF5::HDF5 MPI::MPI_C)  # hdf5.h includes mpi.h

# --- Small libraries from Debian.
find_package(tomlplusplus REQUIRED)
if(NOT HIERAD_FUZZ)
  find_package(CLI11 REQUIRED)
endif()
find_package(spdlog REQUIRED)
find_package(PNG REQUIRED)
# libjpeg-turbo: JPEG decoding (src/data/jpeg_decode.hpp says why not stb). Debian keeps jconfig.h
# in the multiarch include folder, which FindJPEG does not add; the compiler finds it there on its
# own only when libjpeg is installed in /usr (not from the GPU machine's unpacked prefix).
find_package(JPEG REQUIRED)
find_path(JPEG_CONFIG_INCLUDE_DIR jconfig.h HINTS ${JPEG_INCLUDE_DIRS} PATH_SUFFIXES ${CMAKE_LIBRARY_ARCHITECTURE} REQUIRED)
add_library(hierad_jpeg INTERFACE)
target_include_directories(hierad_jpeg SYSTEM INTERFACE ${JPEG_CONFIG_INCLUDE_DIR})
target_link_libraries(hierad_jpeg INTERFACE JPEG::JPEG)
find_package(ZLIB REQUIRED)
# matio by its library alone: its pkg-config line adds "-L.../hdf5/serial/lib -lhdf5", and a serial
# libhdf5 on our link line could capture our own (unversioned) HDF5 references away from the
# parallel library. libmatio still loads the serial one for itself; the symbol versions
# (HDF5_SERIAL_* vs HDF5_MPI_*) keep the two apart at run time.
find_path(MATIO_INCLUDE_DIR matio.h REQUIRED)
find_library(MATIO_LIBRARY matio REQUIRED)
add_library(hierad_matio INTERFACE)
target_include_directories(hierad_matio SYSTEM INTERFACE ${MATIO_INCLUDE_DIR})
target_link_libraries(hierad_matio INTERFACE ${MATIO_LIBRARY})
find_path(STB_INCLUDE_DIR stb_image.h PATH_SUFFIXES stb REQUIRED)
find_library(STB_LIBRARY stb REQUIRED)
if(HIERAD_FUZZ)
  # The fuzz build compiles stb from Debian's headers with the sanitizers (the file says why).
  add_library(hierad_stb STATIC "${PROJECT_SOURCE_DIR}/tests/fuzz/stb_image_instrumented.c")
  target_include_directories(hierad_stb SYSTEM PUBLIC ${STB_INCLUDE_DIR})
else()
  add_library(hierad_stb INTERFACE)
  target_include_directories(hierad_stb SYSTEM INTERFACE ${STB_INCLUDE_DIR})
  target_link_libraries(hierad_stb INTERFACE ${STB_LIBRARY})
endif()

# --- NCCL + CUDA runtime for the GPU communicator. Compiled and linked whenever LibTorch has CUDA,
#     even on machines without a GPU. Prefer the NCCL that LibTorch itself loads (the wheel's), so
#     one process never holds two NCCLs.
set(HIERAD_WITH_NCCL OFF)
if(HIERAD_TORCH_HAS_CUDA)
  find_package(CUDAToolkit QUIET)
  find_path(NCCL_INCLUDE_DIR nccl.h
    HINTS ENV NCCL_ROOT "${TORCH_INSTALL_PREFIX}/../nvidia/nccl" ${CUDAToolkit_INCLUDE_DIRS}
    PATH_SUFFIXES include NO_DEFAULT_PATH)
  find_library(NCCL_LIBRARY NAMES nccl libnccl.so.2 NAMES_PER_DIR
    HINTS ENV NCCL_ROOT "${TORCH_INSTALL_PREFIX}/../nvidia/nccl" ${CUDAToolkit_LIBRARY_DIR}
    PATH_SUFFIXES lib lib64 NO_DEFAULT_PATH)
  if(CUDAToolkit_FOUND AND NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
    set(HIERAD_WITH_NCCL ON)
    add_library(hierad_nccl INTERFACE)
    target_include_directories(hierad_nccl SYSTEM INTERFACE ${NCCL_INCLUDE_DIR})
    target_link_libraries(hierad_nccl INTERFACE ${NCCL_LIBRARY} CUDA::cudart)
    message(STATUS "hierad: NCCL backend on (${NCCL_LIBRARY})")
  else()
    message(WARNING "hierad: LibTorch has CUDA but NCCL or the CUDA toolkit was not found; "
                    "the NCCL backend is not built")
  endif()
endif()

# --- Tests.
if(HIERAD_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
