// The checkpoint reader: the input is a ckpt-*.h5 file. read_checkpoint must reject anything that
// is not a valid checkpoint with CheckpointError; an accepted one's arrays must hold as many bytes
// as their shape and dtype say.
#include <cstdio>
#include <cstdlib>

#include "storage/checkpoint.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hierad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = fuzz::scratch_dir() / "ckpt-00000500.h5";
  fuzz::write_file(file, data, size);
  fuzz::accept_rejection([&] {
    const storage::Checkpoint c = storage::read_checkpoint(file);
    for (const storage::Array& a : c.arrays) {
      if (a.bytes.size() != static_cast<std::size_t>(a.numel()) * storage::dtype_size(a.dtype)) {
        std::fprintf(stderr, "checkpoint: array %s holds %zu bytes for its shape\n", a.name.c_str(), a.bytes.size());
        std::abort();
      }
    }
  });
  return 0;
}
