#include "analysis/score_kinds.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace hierad::analysis {
namespace {

[[noreturn]] void fail(const ScoreKind& kind, const std::string& problem) {
  throw std::invalid_argument("score '" + score_kind_name(kind) + "': " + problem);
}

std::string range_name(std::string_view prefix, std::size_t first, std::size_t last) {
  if (first == last) return std::string(prefix) + "_scale_" + std::to_string(first);
  return std::string(prefix) + "_scales_" + std::to_string(first) + "_to_" + std::to_string(last);
}

// Parses a non-negative decimal that is the whole of `text`, in canonical form (no sign, no leading
// zero), so that every name has exactly one spelling; false otherwise.
bool parse_index(std::string_view text, std::size_t& value) {
  if (text.empty() || text.size() > 9 || (text.size() > 1 && text[0] == '0')) return false;
  value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return true;
}

// "<prefix>_scale_<k>" or "<prefix>_scales_<a>_to_<b>"; false when `name` is neither.
bool parse_range(std::string_view name, std::string_view prefix, std::size_t& first, std::size_t& last) {
  if (name.substr(0, prefix.size()) != prefix) return false;
  std::string_view rest = name.substr(prefix.size());
  if (rest.substr(0, 7) == "_scale_") return parse_index(rest.substr(7), first) && (last = first, true);
  if (rest.substr(0, 8) != "_scales_") return false;
  rest = rest.substr(8);
  const std::size_t to = rest.find("_to_");
  return to != std::string_view::npos && parse_index(rest.substr(0, to), first) &&
         parse_index(rest.substr(to + 4), last) && first < last;
}

const ModelLikelihoods& require_in(const ScoreKind& kind, const ScoreInputs& inputs) {
  if (inputs.in == nullptr) fail(kind, "needs the in-distribution model's likelihoods");
  inputs.in->validate("in-distribution likelihoods");
  return *inputs.in;
}

const ModelLikelihoods& require_general(const ScoreKind& kind, const ScoreInputs& inputs) {
  const ModelLikelihoods& in = require_in(kind, inputs);
  if (inputs.general == nullptr) fail(kind, "needs the general model's likelihoods (none given)");
  const ModelLikelihoods& gen = *inputs.general;
  gen.validate("general-model likelihoods");
  if (gen.num_examples() != in.num_examples()) {
    fail(kind, "the in-distribution and general models cover different numbers of examples (" +
                   std::to_string(in.num_examples()) + " vs " + std::to_string(gen.num_examples()) +
                   "); they must be paired example by example");
  }
  if (gen.num_scales() != in.num_scales()) {
    fail(kind, "the in-distribution and general models have different numbers of scales (" +
                   std::to_string(in.num_scales()) + " vs " + std::to_string(gen.num_scales()) + ")");
  }
  return gen;
}

void check_range(const ScoreKind& kind, std::size_t num_scales) {
  if (kind.first_scale > kind.last_scale || kind.last_scale >= num_scales) {
    fail(kind, "scale range " + std::to_string(kind.first_scale) + ".." + std::to_string(kind.last_scale) +
                   " is outside the model's scales 0.." + std::to_string(num_scales - 1));
  }
}

}  // namespace

void ModelLikelihoods::validate(std::string_view what) const {
  if (lp.empty()) throw std::invalid_argument(std::string(what) + ": no per-scale terms lp_k");
  for (std::size_t k = 0; k < lp.size(); ++k) {
    if (lp[k].size() != log_p.size()) {
      throw std::invalid_argument(std::string(what) + ": lp_" + std::to_string(k) + " has " +
                                  std::to_string(lp[k].size()) + " examples but log_p has " +
                                  std::to_string(log_p.size()));
    }
  }
}

std::string score_kind_name(const ScoreKind& kind) {
  switch (kind.family) {
    case ScoreFamily::LogP: return "log_p";
    case ScoreFamily::Ratio: return "ratio";
    case ScoreFamily::FinalScale: return "final_scale_lp";
    case ScoreFamily::InputComplexity: return "input_complexity";
    case ScoreFamily::ScaleRangeRatio: return range_name("ratio", kind.first_scale, kind.last_scale);
    case ScoreFamily::ScaleRangeLogP: return range_name("log_p", kind.first_scale, kind.last_scale);
  }
  throw std::invalid_argument("score_kind_name: unknown ScoreFamily value");
}

ScoreKind parse_score_kind(std::string_view name) {
  if (name == "log_p") return ScoreKind::log_p();
  if (name == "ratio") return ScoreKind::ratio();
  if (name == "final_scale_lp") return ScoreKind::final_scale();
  if (name == "input_complexity") return ScoreKind::input_complexity();
  std::size_t first = 0, last = 0;
  if (parse_range(name, "ratio", first, last)) return ScoreKind::scales_ratio(first, last);
  if (parse_range(name, "log_p", first, last)) return ScoreKind::scales_log_p(first, last);
  throw std::invalid_argument(
      "unknown score kind '" + std::string(name) +
      "' (known: log_p, ratio, final_scale_lp, input_complexity, ratio_scale_<k>, "
      "ratio_scales_<a>_to_<b>, log_p_scale_<k>, log_p_scales_<a>_to_<b> with a < b)");
}

ModelLikelihoods with_authors_non_finite(const ModelLikelihoods& m) {
  ModelLikelihoods out = m;
  const auto replace = [](std::vector<double>& v) {
    for (double& x : v)
      if (!std::isfinite(x)) x = kAuthorsNonFinite;
  };
  replace(out.log_p);
  for (auto& lp : out.lp) replace(lp);
  return out;
}

double bits_per_dim(double log_p, std::size_t dims) {
  return 8.0 - log_p / (static_cast<double>(dims) * std::log(2.0));
}

std::vector<double> compute_score(const ScoreKind& kind, const ScoreInputs& inputs) {
  switch (kind.family) {
    case ScoreFamily::LogP: return require_in(kind, inputs).log_p;
    case ScoreFamily::FinalScale: return require_in(kind, inputs).lp.back();
    case ScoreFamily::Ratio: {
      const ModelLikelihoods& gen = require_general(kind, inputs);
      std::vector<double> score = inputs.in->log_p;
      for (std::size_t i = 0; i < score.size(); ++i) score[i] -= gen.log_p[i];
      return score;
    }
    case ScoreFamily::ScaleRangeRatio:
    case ScoreFamily::ScaleRangeLogP: {
      const bool ratio = kind.family == ScoreFamily::ScaleRangeRatio;
      const ModelLikelihoods& in = require_in(kind, inputs);
      const ModelLikelihoods* gen = ratio ? &require_general(kind, inputs) : nullptr;
      check_range(kind, in.num_scales());
      std::vector<double> score(in.num_examples(), 0.0);
      for (std::size_t k = kind.first_scale; k <= kind.last_scale; ++k) {
        for (std::size_t i = 0; i < score.size(); ++i) {
          score[i] += ratio ? in.lp[k][i] - gen->lp[k][i] : in.lp[k][i];
        }
      }
      return score;
    }
    case ScoreFamily::InputComplexity: {
      const ModelLikelihoods& in = require_in(kind, inputs);
      if (inputs.png_bits_per_dim == nullptr) fail(kind, "needs the PNG bits/dim of every example");
      if (inputs.png_bits_per_dim->size() != in.num_examples()) {
        fail(kind, "has " + std::to_string(inputs.png_bits_per_dim->size()) + " PNG lengths for " +
                       std::to_string(in.num_examples()) + " examples");
      }
      if (inputs.dims == 0) fail(kind, "needs the number of dimensions D = C*H*W (got 0)");
      std::vector<double> score(in.num_examples());
      for (std::size_t i = 0; i < score.size(); ++i) {
        score[i] = (*inputs.png_bits_per_dim)[i] - bits_per_dim(in.log_p[i], inputs.dims);
      }
      return score;
    }
  }
  throw std::invalid_argument("compute_score: unknown ScoreFamily value");
}

std::vector<ScoreKind> standard_score_kinds(std::size_t num_scales, bool have_general,
                                            bool have_png_complexity) {
  if (num_scales == 0) throw std::invalid_argument("standard_score_kinds: a model has at least one scale");
  std::vector<ScoreKind> kinds = {ScoreKind::log_p(), ScoreKind::final_scale()};
  for (std::size_t k = 1; k + 1 < num_scales; ++k) kinds.push_back(ScoreKind::scales_log_p(k, num_scales - 1));
  if (have_general) {
    kinds.push_back(ScoreKind::ratio());
    for (std::size_t k = 0; k < num_scales; ++k) kinds.push_back(ScoreKind::scale_ratio(k));
    for (std::size_t k = 1; k + 1 < num_scales; ++k) kinds.push_back(ScoreKind::scales_ratio(k, num_scales - 1));
  }
  if (have_png_complexity) kinds.push_back(ScoreKind::input_complexity());
  return kinds;
}

}  // namespace hierad::analysis
