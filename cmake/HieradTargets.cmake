# Helpers every folder uses, so that warnings, the shared precompiled header and the test wiring
# are written once.

# hierad_library(NAME SOURCES... [TORCH | TORCH_PRIVATE])
#   A static library with the project's warnings. TORCH marks one whose headers expose LibTorch
#   types; TORCH_PRIVATE one that uses LibTorch only inside its .cpp files, so that its users do not
#   inherit LibTorch's include path (which carries its own {fmt}, see src/util/log.hpp). Both reuse
#   the shared precompiled header when HIERAD_PCH is on.
function(hierad_library name)
  cmake_parse_arguments(ARG "TORCH;TORCH_PRIVATE" "" "SOURCES" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES} ${ARG_UNPARSED_ARGUMENTS})
  hierad_warnings(${name})
  target_include_directories(${name} PUBLIC "${PROJECT_SOURCE_DIR}")
  if(ARG_TORCH)
    target_link_libraries(${name} PUBLIC hierad_torch)
    hierad_use_torch_pch(${name})
  elseif(ARG_TORCH_PRIVATE)
    target_link_libraries(${name} PRIVATE hierad_torch)
    hierad_use_torch_pch(${name})
  endif()
endfunction()

function(hierad_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
endfunction()

# One precompiled LibTorch header for the whole build. It costs about a minute once and saves about
# half of every torch translation unit's compile time afterwards (figures in README.md). Targets that
# reuse it must compile with the same flags and definitions, hence the one interface target.
if(HIERAD_PCH AND NOT HIERAD_FUZZ)
  add_library(hierad_torch_pch OBJECT "${PROJECT_SOURCE_DIR}/cmake/pch_anchor.cpp")
  target_link_libraries(hierad_torch_pch PRIVATE hierad_torch)
  hierad_warnings(hierad_torch_pch)
  target_precompile_headers(hierad_torch_pch PRIVATE "${PROJECT_SOURCE_DIR}/src/torch_pch.hpp")
endif()

function(hierad_use_torch_pch target)
  if(HIERAD_PCH)
    target_precompile_headers(${target} REUSE_FROM hierad_torch_pch)
  endif()
endfunction()

# hierad_test(NAME SOURCES... LIBS... [TORCH])
#   A GoogleTest executable whose cases ctest lists one by one.
function(hierad_test name)
  cmake_parse_arguments(ARG "TORCH" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  hierad_warnings(${name})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE HIERAD_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  if(ARG_TORCH)
    target_link_libraries(${name} PRIVATE hierad_torch)
    hierad_use_torch_pch(${name})
  endif()
  gtest_discover_tests(${name} TEST_PREFIX "${name}." DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()

# hierad_mpi_test(NAME NP COMMAND...)
#   A test run under mpirun with NP ranks (as root, oversubscribed: CI has 2 cores).
function(hierad_mpi_test name np)
  add_test(NAME ${name}
           COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} ${MPIEXEC_PREFLAGS} ${ARGN})
  set_tests_properties(${name} PROPERTIES PROCESSORS ${np} LABELS mpi TIMEOUT 600
    ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1")
endfunction()
