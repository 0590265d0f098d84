// AUROC benchmark: hierad::analysis::auroc over n + n scores (default 10M + 10M).
//
//   bench_auroc [--n N] [--repeat R] [--in FILE --out FILE]
//
// Scores come either from two raw little-endian float64 files (what tests/bench/bench_auroc.py
// writes, so that sklearn's roc_auc_score sees the very same numbers in the same run) or from a
// seeded generator: N(1, 1) in-distribution vs N(0, 1) OOD, rounded to float32 like stored
// log-likelihoods, which leaves realistic ties.
//
// Timing (nccl-tests discipline): one warm-up call, then R timed calls of the whole public entry
// point (order keys + radix sort of both sides + the counting walk); best and median are printed.
// Correctness is checked outside the timed loop against an independent rank-sum computation
// (std::sort of all scores, mid-ranks for ties, U = R_in - n_in (n_in + 1) / 2), which is also timed
// once as an in-process baseline. The exit status is 1 when the two disagree by more than 1e-12.
// One call of compute_all_metrics (all seven metrics) is timed too, for scale.
#include "analysis/metrics.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using hierad::analysis::auroc;
using Clock = std::chrono::steady_clock;

struct BenchOptions {
  std::size_t n = 10'000'000;
  int repeat = 5;
  std::string in_file, out_file;
};

[[noreturn]] void usage(const char* program, const std::string& problem) {
  std::fprintf(stderr, "%s: %s\nusage: %s [--n N] [--repeat R] [--in FILE --out FILE]\n", program,
               problem.c_str(), program);
  std::exit(2);
}

BenchOptions parse(int argc, char** argv) {
  BenchOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) usage(argv[0], "missing value after " + arg);
    const std::string value = argv[++i];
    if (arg == "--n") o.n = std::stoull(value);
    else if (arg == "--repeat") o.repeat = std::stoi(value);
    else if (arg == "--in") o.in_file = value;
    else if (arg == "--out") o.out_file = value;
    else usage(argv[0], "unknown option " + arg);
  }
  if (o.in_file.empty() != o.out_file.empty()) usage(argv[0], "--in and --out go together");
  if (o.repeat < 1) usage(argv[0], "--repeat must be >= 1");
  return o;
}

std::vector<double> read_doubles(const std::string& path) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) throw std::runtime_error(path + ": cannot open");
  const std::streamsize bytes = file.tellg();
  if (bytes % static_cast<std::streamsize>(sizeof(double)) != 0) {
    throw std::runtime_error(path + ": size " + std::to_string(bytes) + " is not a multiple of 8 bytes");
  }
  std::vector<double> values(static_cast<std::size_t>(bytes) / sizeof(double));
  file.seekg(0);
  if (!file.read(reinterpret_cast<char*>(values.data()), bytes)) throw std::runtime_error(path + ": short read");
  return values;
}

std::vector<double> generate(std::size_t n, double mean, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(mean, 1.0);
  std::vector<double> v(n);
  for (auto& x : v) x = static_cast<double>(static_cast<float>(normal(rng)));
  return v;
}

// Independent reference: mid-ranks over one std::sort of all scores (non-finite = lowest).
double rank_sum_auroc(const std::vector<double>& in, const std::vector<double>& out) {
  std::vector<std::pair<double, bool>> all;
  all.reserve(in.size() + out.size());
  const auto value = [](double s) { return std::isfinite(s) ? (s == 0.0 ? 0.0 : s) : -HUGE_VAL; };
  for (const double s : in) all.emplace_back(value(s), true);
  for (const double s : out) all.emplace_back(value(s), false);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  long double rank_sum_in = 0;  // ranks are 1-based; a tie group gets the mean of its ranks
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    std::size_t in_count = 0;
    while (j < all.size() && all[j].first == all[i].first) in_count += all[j++].second;
    const long double mid_rank = (static_cast<long double>(i + 1) + static_cast<long double>(j)) / 2;
    rank_sum_in += mid_rank * static_cast<long double>(in_count);
    i = j;
  }
  const long double n_in = in.size(), n_out = out.size();
  return static_cast<double>((rank_sum_in - n_in * (n_in + 1) / 2) / (n_in * n_out));
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const BenchOptions options = parse(argc, argv);
  std::vector<double> in, out;
  try {
    if (!options.in_file.empty()) {
      in = read_doubles(options.in_file);
      out = read_doubles(options.out_file);
    } else {
      in = generate(options.n, 1.0, 1);
      out = generate(options.n, 0.0, 2);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_auroc: %s\n", e.what());
    return 2;
  }
  std::printf("scores          %zu in-distribution + %zu OOD (%s)\n", in.size(), out.size(),
              options.in_file.empty() ? "generated, float32-rounded normals" : "from files");

  double value = auroc(in, out).value;  // warm-up: page in the inputs, size the allocator
  std::vector<double> times;
  for (int r = 0; r < options.repeat; ++r) {
    const auto start = Clock::now();
    value = auroc(in, out).value;
    times.push_back(seconds_since(start));
  }
  std::sort(times.begin(), times.end());

  const auto start = Clock::now();
  const double reference = rank_sum_auroc(in, out);
  const double reference_seconds = seconds_since(start);
  const double diff = std::fabs(value - reference);
  const bool ok = diff <= 1e-12;

  // For scale: every metric of the tables (7 of them) on the same scores, sorting each side once.
  const auto all_start = Clock::now();
  const auto all = hierad::analysis::compute_all_metrics(in, out);
  const double all_seconds = seconds_since(all_start);
  const bool all_ok = all[0].value == value;

  std::printf("auroc           %.17g\n", value);
  std::printf("seconds_best    %.6f\n", times.front());
  std::printf("seconds_median  %.6f\n", times[times.size() / 2]);
  std::printf("scores_per_s    %.3g\n", static_cast<double>(in.size() + out.size()) / times.front());
  std::printf("reference       %.17g (std::sort + mid-ranks, %.3f s, %.1fx slower than auroc)\n",
              reference, reference_seconds, reference_seconds / times.front());
  std::printf("all_metrics_s   %.3f (the 7 metrics of analysis/metrics.hpp, one call)\n", all_seconds);
  std::printf("check           |auroc - reference| = %.3g : %s\n", diff, ok ? "OK" : "FAILED");
  std::printf("check           compute_all_metrics AUROC identical: %s\n", all_ok ? "OK" : "FAILED");
  return ok && all_ok ? 0 : 1;
}
