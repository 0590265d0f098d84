// compare_score_files A.h5 B.h5: exit 0 when two score files hold the same sets with the same
// values for every example (matched by example index, compared bit for bit; writer rank counts
// and HDF5 versions aside), else print the differences and exit 1 (2 on unreadable input).
#include "storage/score_reader.hpp"

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s A.h5 B.h5\n", argv[0]);
    return 2;
  }
  try {
    const auto a = hierad::storage::read_score_file(argv[1]);
    const auto b = hierad::storage::read_score_file(argv[2]);
    const auto differences = hierad::storage::compare_score_files(a, b);
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
