// compare_score_files [--other-checkpoint-file] A.h5 B.h5: exit 0 when two score files hold the
// same sets with the same values for every example (matched by example index, compared bit for
// bit; writer rank counts and HDF5 versions aside), else print the differences and exit 1 (2 on
// unreadable input). --other-checkpoint-file: the scored checkpoints may be different files (the
// same run's step, in two run directories).
#include "storage/score_reader.hpp"

#include <cstdio>
#include <string>
#include <exception>

int main(int argc, char** argv) {
  const bool other_file = argc == 4 && std::string(argv[1]) == "--other-checkpoint-file";
  if (argc != 3 && !other_file) {
    std::fprintf(stderr, "usage: %s [--other-checkpoint-file] A.h5 B.h5\n", argv[0]);
    return 2;
  }
  try {
    const auto a = hierad::storage::read_score_file(argv[argc - 2]);
    const auto b = hierad::storage::read_score_file(argv[argc - 1]);
    const auto differences = hierad::storage::compare_score_files(a, b, 20, !other_file);
    for (const auto& line : differences) std::printf("%s\n", line.c_str());
    std::size_t examples = 0;
    for (const auto& set : a.sets) examples += set.index.size();
    std::printf("%zu sets, %zu examples (written by %lld and %lld ranks): %s\n", a.sets.size(), examples,
                static_cast<long long>(a.writer_ranks), static_cast<long long>(b.writer_ranks),
                differences.empty() ? "IDENTICAL" : "DIFFERENT");
    return differences.empty() ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "compare_score_files: %s\n", error.what());
    return 2;
  }
}
