// Anomaly scores from per-scale likelihood records (../shared/docs/method.md §2 and §4).
//
// Inputs are plain arrays (what the storage layer reads from a score file): for each model, lp_k
// for every scale k = 0..L-1 and log p, per example, in nats. Every score is "higher = more
// in-distribution". Non-finite inputs simply propagate (inf - inf = NaN, ...); the metrics then
// count them as anomalous (Note [non-finite scores] in metrics.hpp).
//
// Note [score kinds and their names]
// Name                      | Score for example i                                  | needs
// log_p                     | log p_in(x)                        (raw likelihood)  | in
// ratio                     | log p_in(x) - log p_gen(x)                           | in, gen
// final_scale_lp            | lp_{L-1}(in), the last (coarsest) scale              | in
// ratio_scale_<k>           | lp_k(in) - lp_k(gen)                                 | in, gen
// ratio_scales_<a>_to_<b>   | sum_{k=a..b} (lp_k(in) - lp_k(gen))                  | in, gen
// log_p_scale_<k>           | lp_k(in)                                             | in
// log_p_scales_<a>_to_<b>   | sum_{k=a..b} lp_k(in)                                | in
// input_complexity          | L_png(x) - bpd_in(x): PNG bits/dim minus the model's | in, PNG
//                           | bits/dim (Serra et al. 2020; see png_complexity.hpp) |
// Sums run over k in increasing order. A range with a == b is named with the single-scale form.
// The paper's "scales k..L-1" variants are the ranges k..L-1; standard_score_kinds lists them for
// k = 1..L-2 only, because k = 0 is the full sum (ratio / log_p up to rounding) and k = L-1 is a
// single scale (ratio_scale_<L-1> / final_scale_lp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hierad::analysis {

// One model's per-example likelihood terms, in nats.
struct ModelLikelihoods {
  std::vector<std::vector<double>> lp;  // lp[k][i]: scale k's term for example i, k = 0..L-1
  std::vector<double> log_p;            // log p(x_i) = sum_k lp[k][i] (stored, not recomputed)

  std::size_t num_scales() const { return lp.size(); }
  std::size_t num_examples() const { return log_p.size(); }
  // Throws std::invalid_argument naming `what` when there is no scale or an lp_k has a length
  // different from log_p's.
  void validate(std::string_view what) const;
};

enum class ScoreFamily {
  LogP,             // log p_in
  Ratio,            // log p_in - log p_gen
  FinalScale,       // lp_{L-1} of p_in
  ScaleRangeRatio,  // sum over scales first..last of lp_k(in) - lp_k(gen)
  ScaleRangeLogP,   // sum over scales first..last of lp_k(in)
  InputComplexity,  // PNG bits/dim - bits/dim of p_in
};

struct ScoreKind {
  ScoreFamily family = ScoreFamily::LogP;
  std::size_t first_scale = 0;  // only for the ScaleRange* families
  std::size_t last_scale = 0;

  static ScoreKind log_p() { return {ScoreFamily::LogP}; }
  static ScoreKind ratio() { return {ScoreFamily::Ratio}; }
  static ScoreKind final_scale() { return {ScoreFamily::FinalScale}; }
  static ScoreKind input_complexity() { return {ScoreFamily::InputComplexity}; }
  static ScoreKind scale_ratio(std::size_t k) { return {ScoreFamily::ScaleRangeRatio, k, k}; }
  static ScoreKind scales_ratio(std::size_t first, std::size_t last) {
    return {ScoreFamily::ScaleRangeRatio, first, last};
  }
  static ScoreKind scales_log_p(std::size_t first, std::size_t last) {
    return {ScoreFamily::ScaleRangeLogP, first, last};
  }

  bool needs_general() const {
    return family == ScoreFamily::Ratio || family == ScoreFamily::ScaleRangeRatio;
  }
  friend bool operator==(const ScoreKind& a, const ScoreKind& b) {
    const bool ranged = a.family == ScoreFamily::ScaleRangeRatio || a.family == ScoreFamily::ScaleRangeLogP;
    return a.family == b.family &&
           (!ranged || (a.first_scale == b.first_scale && a.last_scale == b.last_scale));
  }
  friend bool operator!=(const ScoreKind& a, const ScoreKind& b) { return !(a == b); }
};

// The stable name of Note [score kinds and their names]; parse_score_kind is its inverse and throws
// std::invalid_argument for anything else (including a range with first > last).
std::string score_kind_name(const ScoreKind& kind);
ScoreKind parse_score_kind(std::string_view name);

// What a score is computed from. `general` may be null when no general model was scored;
// `png_bits_per_dim` (one value per example, png_complexity.hpp) and `dims` (D = C*H*W) are only
// needed for input_complexity.
struct ScoreInputs {
  const ModelLikelihoods* in = nullptr;
  const ModelLikelihoods* general = nullptr;
  const std::vector<double>* png_bits_per_dim = nullptr;
  std::size_t dims = 0;
};

// The score of every example. Throws std::invalid_argument naming the score and the problem when an
// input is missing or the arrays disagree (number of examples, number of scales, scale out of range).
std::vector<double> compute_score(const ScoreKind& kind, const ScoreInputs& inputs);

// The kinds a report shows by default, in table order: log_p, final_scale_lp,
// log_p_scales_<k>_to_<L-1> (k = 1..L-2); with a general model also ratio, ratio_scale_<k>
// (k = 0..L-1) and ratio_scales_<k>_to_<L-1> (k = 1..L-2); with PNG lengths, input_complexity.
std::vector<ScoreKind> standard_score_kinds(std::size_t num_scales, bool have_general,
                                            bool have_png_complexity);

// Note [authors' non-finite convention]
// The authors' code replaces each model's non-finite log p by -3e6 before taking a ratio, so a
// non-finite p_gen makes an example look strongly in-distribution. hierad's default counts
// non-finite scores as anomalous (Note [non-finite scores], metrics.hpp); for comparisons with the
// authors' numbers analysis.non_finite = "authors" applies their replacement to every term a score
// is formed from (log p and each lp_k, of both models), and the score kind's name then carries
// kAuthorsNonFiniteSuffix, so every table, CSV and plot that uses it says so.
inline constexpr double kAuthorsNonFinite = -3e6;
inline constexpr const char* kAuthorsNonFiniteSuffix = "+nonfinite_-3e6";
// A copy of `m` with every non-finite log p and lp_k replaced by kAuthorsNonFinite.
ModelLikelihoods with_authors_non_finite(const ModelLikelihoods& m);

// bits/dim of a model from log p (method.md §3): 8 - log p / (D ln 2).
double bits_per_dim(double log_p, std::size_t dims);

}  // namespace hierad::analysis
