// `score_compare REFERENCE.h5 OTHER.h5 OTHER_RANKS`: exit 0 only if REFERENCE (written by 1 rank)
// holds exactly the synthetic scores, OTHER was written by OTHER_RANKS ranks, and the two agree
// example by example. ctest runs it after the writers, so a difference fails the suite.

#include <cstdio>
#include <exception>
#include <string>

#include "storage/score_reader.hpp"
#include "synthetic_scores.hpp"

using namespace hierad::storage;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s REFERENCE.h5 OTHER.h5 OTHER_RANKS\n", argv[0]);
    return 2;
  }
  try {
    const ScoreFile ref = read_score_file(argv[1]);
    const ScoreFile other = read_score_file(argv[2]);
    const long other_ranks = std::stol(argv[3]);
    std::vector<std::string> problems;
    if (ref.writer_ranks != 1) problems.push_back(std::string(argv[1]) + " was not written by 1 rank");
    if (other.writer_ranks != other_ranks)
      problems.push_back(std::string(argv[2]) + " was written by " + std::to_string(other.writer_ranks) + " ranks, not " +
                         std::to_string(other_ranks));
    for (const std::string& p : test::check_against_synthetic(ref)) problems.push_back(std::string(argv[1]) + ": " + p);
    for (const std::string& p : compare_score_files(ref, other)) problems.push_back(p);
    std::size_t examples = 0;
    for (const ScoreSet& s : ref.sets) examples += static_cast<std::size_t>(s.size());
    if (problems.empty()) {
      std::printf("identical: %zu sets, %zu examples (1 rank vs %ld ranks)\n", ref.sets.size(), examples, other_ranks);
      return 0;
    }
    for (const std::string& p : problems) std::fprintf(stderr, "DIFF %s\n", p.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
