#include "analysis/score_file_analysis.hpp"

#include "analysis/likelihood_pairing.hpp"
#include "analysis/metrics.hpp"

#include <stdexcept>

namespace hierad::analysis {
namespace {

// One scored set of one run, as the score functions want it.
struct SetLikelihoods {
  ModelLikelihoods in;
  std::optional<ModelLikelihoods> general;
  std::vector<double> png_bits_per_dim;  // row order of `in`; empty when not supplied
};

SetLikelihoods load_set(const RunScoreFiles& run, const std::string& name, const AnalysisRequest& request) {
  const storage::ScoreSet& in = run.in.set(name);
  SetLikelihoods out;
  out.in = likelihoods_from_rows(in.lp, static_cast<std::size_t>(in.n_scales), in.log_p);
  if (auto png = request.png_bits_per_dim.find(name); png != request.png_bits_per_dim.end()) {
    for (const std::int64_t index : in.index) {
      if (index < 0 || static_cast<std::size_t>(index) >= png->second.size()) {
        throw std::invalid_argument("set " + name + ": example index " + std::to_string(index) +
                                    " of " + run.in.path.string() + " has no PNG length (the set has " +
                                    std::to_string(png->second.size()) + " images)");
      }
      out.png_bits_per_dim.push_back(png->second[static_cast<std::size_t>(index)]);
    }
  }
  if (run.general) {
    const storage::ScoreSet& general = run.general->set(name);
    if (general.n_scales != in.n_scales) {
      throw std::invalid_argument("run " + run.run + ": set " + name + " has " + std::to_string(in.n_scales) +
                                  " scales in " + run.in.path.string() + " but " +
                                  std::to_string(general.n_scales) + " in " + run.general->path.string());
    }
    try {
      const std::vector<std::size_t> rows = match_rows_by_index(in.index, general.index);
      out.general = likelihoods_from_rows(general.lp, static_cast<std::size_t>(general.n_scales), general.log_p, &rows);
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument("run " + run.run + ": set " + name + " of " + run.general->path.string() +
                                  " does not hold the examples of " + run.in.path.string() + ": " + error.what());
    }
  }
  return out;
}

std::vector<ScoreKind> kinds_for(const AnalysisRequest& request, std::size_t scales, bool have_general,
                                 bool have_png) {
  std::vector<ScoreKind> kinds;
  if (request.score_kinds.empty()) {
    kinds = standard_score_kinds(scales, have_general, have_png);
    // Each scale's own term too: the paper's point is where in the hierarchy the evidence lives.
    for (std::size_t k = 0; k + 1 < scales; ++k) kinds.push_back(ScoreKind::scales_log_p(k, k));
  } else {
    for (const std::string& name : request.score_kinds) kinds.push_back(parse_score_kind(name));
  }
  return kinds;
}

}  // namespace

AnalysisOutput analyse(const std::vector<RunScoreFiles>& runs, const AnalysisRequest& request) {
  if (runs.empty()) throw std::invalid_argument("analysis: no runs to analyse");
  const RunScoreFiles& first = runs.front();
  std::vector<std::string> ood_sets = request.ood_sets;
  if (ood_sets.empty()) {
    for (const storage::ScoreSet& set : first.in.sets) {
      if (set.info.name != request.in_set && set.info.name != "general") ood_sets.push_back(set.info.name);
    }
  }
  if (ood_sets.empty()) {
    throw std::invalid_argument(first.in.path.string() + ": no OOD set besides " + request.in_set);
  }
  bool all_have_general = true;
  for (const RunScoreFiles& run : runs) all_have_general = all_have_general && run.general.has_value();
  const std::size_t scales = static_cast<std::size_t>(first.in.set(request.in_set).n_scales);
  bool have_png = request.image_dims > 0 && request.png_bits_per_dim.count(request.in_set) > 0;
  for (const std::string& ood : ood_sets) have_png = have_png && request.png_bits_per_dim.count(ood) > 0;
  const std::vector<ScoreKind> kinds = kinds_for(request, scales, all_have_general, have_png);

  AnalysisOutput output;
  for (const ScoreKind& kind : kinds)
    output.kind_names.push_back(score_kind_name(kind) + (request.authors_non_finite ? kAuthorsNonFiniteSuffix : ""));
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const RunScoreFiles& run = runs[r];
    auto scores_of = [&](const SetLikelihoods& set) {
      std::vector<std::vector<double>> columns;
      std::optional<ModelLikelihoods> in_replaced, general_replaced;
      if (request.authors_non_finite) {
        in_replaced = with_authors_non_finite(set.in);
        if (set.general) general_replaced = with_authors_non_finite(*set.general);
      }
      for (const ScoreKind& kind : kinds) {
        ScoreInputs inputs;
        inputs.in = in_replaced ? &*in_replaced : &set.in;
        inputs.general = general_replaced ? &*general_replaced : set.general ? &*set.general : nullptr;
        inputs.png_bits_per_dim = set.png_bits_per_dim.empty() ? nullptr : &set.png_bits_per_dim;
        inputs.dims = request.image_dims;
        columns.push_back(compute_score(kind, inputs));
      }
      return columns;
    };
    const std::vector<std::vector<double>> in_scores = scores_of(load_set(run, request.in_set, request));
    if (r == 0) output.blocks.push_back({"in", request.in_set, in_scores});
    for (const std::string& ood : ood_sets) {
      const std::vector<std::vector<double>> ood_scores = scores_of(load_set(run, ood, request));
      for (std::size_t k = 0; k < kinds.size(); ++k) {
        const auto results = compute_all_metrics(in_scores[k], ood_scores[k]);
        for (MetricRecord& record :
             metric_records(run.run, output.kind_names[k], request.in_set, ood, results)) {
          output.records.push_back(std::move(record));
        }
      }
      if (r == 0) output.blocks.push_back({"ood", ood, ood_scores});
    }
  }
  return output;
}

}  // namespace hierad::analysis
