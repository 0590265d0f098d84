// The score-file reader (the analysis stage's entry point): the input is a score file. An
// accepted file's sets must have one value per example in every column ([N] and [N, L]), and
// comparing it with itself must find no difference.
#include <cstdio>
#include <cstdlib>

#include "storage/score_reader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hierad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = fuzz::scratch_dir() / "scores.h5";
  fuzz::write_file(file, data, size);
  fuzz::accept_rejection([&] {
    const storage::ScoreFile f = storage::read_score_file(file);
    for (const storage::ScoreSet& s : f.sets) {
      const std::size_t n = s.index.size(), nl = n * static_cast<std::size_t>(s.n_scales);
      if (s.log_p.size() != n || s.bpd.size() != n || s.F.size() != nl || s.A.size() != nl || s.G.size() != nl ||
          s.lp.size() != nl) {
        std::fprintf(stderr, "score file: set %s has columns of the wrong length\n", s.info.name.c_str());
        std::abort();
      }
    }
    if (!storage::compare_score_files(f, f).empty()) {
      std::fprintf(stderr, "score file: differs from itself\n");
      std::abort();
    }
  });
  return 0;
}
