// What every fuzz harness shares: a private scratch folder for the files the readers open (they
// take paths, not bytes), splitting one fuzz input into several files, and the rule for errors.
//
// The rule: a reader may reject hostile input only with the exception it documents (DataError,
// ConfigError, CheckpointError, H5Error, all std::runtime_error). Anything else (a std::logic_error
// such as out_of_range or length_error, bad_alloc from a size taken on trust, a crash, a sanitizer
// report, a hang) is a finding: accept_rejection() lets only runtime_error through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hierad::fuzz {

// A folder of this process's own, made once under $TMPDIR (default /tmp) and removed at exit, so
// parallel fuzzers and replays never share files. Harnesses overwrite their files on every input.
const std::filesystem::path& scratch_dir();

void write_file(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size);
void write_file(const std::filesystem::path& path, std::string_view bytes);

// Reads an input as consecutive fields: take_u8/u16 give 0 once the input is used up; take_part
// reads a little-endian u16 length and then that many bytes (fewer at the end); rest() is the remainder.
class InputReader {
 public:
  InputReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t take_u8();
  std::uint16_t take_u16();
  std::string_view take_part();
  std::string_view rest();

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

// Whether HIERAD_FUZZ_VERBOSE is set: accept_rejection then prints every rejection (to see which
// seeds a reader accepts, and why an input is refused).
bool verbose();

// Runs `body`; a std::runtime_error (the documented rejection) is swallowed, anything else
// propagates and ends the fuzzer as a finding.
template <class F>
void accept_rejection(F&& body) {
  try {
    body();
    if (verbose()) std::fprintf(stderr, "accepted\n");
  } catch (const std::runtime_error& e) {
    if (verbose()) std::fprintf(stderr, "rejected: %s\n", e.what());
  }
}

}  // namespace hierad::fuzz
