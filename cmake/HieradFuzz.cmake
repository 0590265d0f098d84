# Instrumentation of the fuzz build (HIERAD_FUZZ=ON, tests/fuzz/README.md): every object, hierad's
# libraries included, gets AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's coverage
# hooks; only the harness executables link libFuzzer's main (hierad_fuzz_harness in tests/fuzz).
# Debian's own libraries (HDF5, matio, zlib, stb, toml++ is header-only) are not instrumented:
# ASan sees their heap through its interceptors only.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "HIERAD_FUZZ needs clang for libFuzzer (configure with CC=clang CXX=clang++)")
endif()
# UBSan findings abort (a report that only prints would pass a fuzz run); -O1 -g: readable stacks.
set(HIERAD_SANITIZE "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer")
separate_arguments(HIERAD_SANITIZE)
# -UNDEBUG: assertions stay on whatever the build type (an assert is a finding too).
add_compile_options(-fsanitize=fuzzer-no-link ${HIERAD_SANITIZE} -O1 -g -UNDEBUG)
add_link_options(${HIERAD_SANITIZE})
