#pragma once
// Deterministic stand-ins for a scoring run's output, so a score file can be checked value by value
// against what should be in it, whoever wrote it and with however many ranks.
// Realistic traits: A_k is the same for every example (ActNorm log-dets do not depend on x), the
// stored example indices are a scattered permutation, and some likelihoods are non-finite.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "storage/score_reader.hpp"
#include "storage/score_store.hpp"

namespace hierad::storage::test {

constexpr std::int64_t kScales = 3;

struct SyntheticSet {
  std::string name;
  std::int64_t count;
  std::uint64_t seed;
};

// Several sizes on purpose: more rows than ranks, fewer rows than ranks, and none.
inline std::vector<SyntheticSet> synthetic_sets() {
  return {{"cifar10_test", 1000, 1}, {"svhn_test", 1, 2}, {"empty", 0, 3}, {"general_heldout", 257, 4}};
}

inline ScoreFileInfo synthetic_file_info() {
  return ScoreFileInfo{CheckpointRef{"run-42", 50000, 0xdeadbeefu, "/runs/r42/ckpt-00050000.h5"},
                       "hierad 0.1.0; test", kScales};
}

inline ScoreSetInfo synthetic_set_info(const SyntheticSet& s) {
  return ScoreSetInfo{s.name, "/data/" + s.name, s.count, "fp-" + std::to_string(s.seed * 1234567)};
}

inline std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Row r holds example (r * 7919 + seed) mod count, spread out by *3: a permutation, not the row.
inline std::int64_t example_at_row(const SyntheticSet& s, std::int64_t row) {
  return ((row * 7919 + static_cast<std::int64_t>(s.seed)) % s.count) * 3 + 1;
}

inline double term(const SyntheticSet& s, std::int64_t example, int field, std::int64_t k) {
  const std::uint64_t h = mix(s.seed * 1000003u + static_cast<std::uint64_t>(example) * 131u +
                              static_cast<std::uint64_t>(field) * 17u + static_cast<std::uint64_t>(k));
  return -100.0 - static_cast<double>(h >> 12) * 0x1p-41;  // full 52-bit mantissas in [-2148, -100]
}

struct SyntheticRows {
  std::vector<std::int64_t> index;
  std::vector<double> log_p, bpd, F, A, G, lp;

  ScoreRowsView view() const {
    return ScoreRowsView{static_cast<std::int64_t>(index.size()), index.data(), log_p.data(), bpd.data(),
                         F.data(), A.data(), G.data(), lp.data()};
  }
};

// The expected content of rows [begin, end) of set s.
inline SyntheticRows synthetic_rows(const SyntheticSet& s, std::int64_t begin, std::int64_t end) {
  SyntheticRows r;
  for (std::int64_t row = begin; row < end; ++row) {
    const std::int64_t ex = example_at_row(s, row);
    r.index.push_back(ex);
    double total = 0;
    for (std::int64_t k = 0; k < kScales; ++k) {
      const double F = (ex % 89 == 3 && k == 1) ? std::numeric_limits<double>::quiet_NaN() : term(s, ex, 0, k);
      const double A = term(s, 0, 1, k);  // constant over examples
      const double G = term(s, ex, 2, k);
      r.F.push_back(F);
      r.A.push_back(A);
      r.G.push_back(G);
      r.lp.push_back(F + A + G);
      total += F + A + G;
    }
    if (ex % 97 == 5) total = -std::numeric_limits<double>::infinity();
    r.log_p.push_back(total);
    r.bpd.push_back(-total / (3072.0 * std::log(2.0)));
  }
  return r;
}

inline bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// Problems found comparing a read score file with the synthetic content (empty when it matches).
inline std::vector<std::string> check_against_synthetic(const ScoreFile& f) {
  std::vector<std::string> problems;
  const ScoreFileInfo want = synthetic_file_info();
  if (f.info.n_scales != kScales || f.info.versions != want.versions ||
      f.info.checkpoint.run_id != want.checkpoint.run_id || f.info.checkpoint.step != want.checkpoint.step ||
      f.info.checkpoint.checksum != want.checkpoint.checksum || f.info.checkpoint.path != want.checkpoint.path)
    problems.push_back("file attributes differ from the synthetic ones");
  if (f.sets.size() != synthetic_sets().size()) problems.push_back("wrong number of sets");
  for (const SyntheticSet& s : synthetic_sets()) {
    const ScoreSet* got = nullptr;
    for (const ScoreSet& x : f.sets)
      if (x.info.name == s.name) got = &x;
    if (!got) {
      problems.push_back("set " + s.name + " missing");
      continue;
    }
    const ScoreSetInfo info = synthetic_set_info(s);
    if (got->info.path != info.path || got->info.count != info.count || got->info.fingerprint != info.fingerprint)
      problems.push_back("set " + s.name + ": attributes differ");
    const SyntheticRows r = synthetic_rows(s, 0, s.count);
    if (got->index != r.index) problems.push_back("set " + s.name + ": index differs");
    if (!same_bits(got->log_p, r.log_p) || !same_bits(got->bpd, r.bpd)) problems.push_back("set " + s.name + ": log_p/bpd differ");
    if (!same_bits(got->F, r.F) || !same_bits(got->A, r.A) || !same_bits(got->G, r.G) || !same_bits(got->lp, r.lp))
      problems.push_back("set " + s.name + ": per-scale terms differ");
  }
  return problems;
}

}  // namespace hierad::storage::test
