#include "src/score/scorer.hpp"

#include "src/score/fingerprint.hpp"
#include "src/data/loader.hpp"
#include "src/data/make_source.hpp"
#include "src/data/to_tensor.hpp"
#include "src/model/glow.hpp"
#include "src/model_io/glow_factory.hpp"
#include "src/model_io/model_state.hpp"
#include "src/util/log.hpp"
#include "src/util/runtime_info.hpp"
#include "storage/score_store.hpp"

#include <ATen/ATen.h>
#include <mpi.h>

#include <stdexcept>

namespace hierad::score {
namespace {

// [n, L] or [n] tensor -> contiguous float64 host tensor.
at::Tensor host_double(const at::Tensor& t) { return t.detach().to(at::kCPU, at::kDouble).contiguous(); }

}  // namespace

std::vector<ScoreSet> sets_to_score(const config::ExperimentConfig& experiment) {
  const auto& data = experiment.data;
  std::vector<ScoreSet> all;
  if (data.in_dist_test) all.push_back({"in_dist_test", *data.in_dist_test});
  for (const auto& [name, source] : data.ood) all.push_back({name, source});
  if (data.general) all.push_back({"general", *data.general});
  if (experiment.score.sets.empty()) return all;

  std::vector<ScoreSet> chosen;
  for (const std::string& name : experiment.score.sets) {
    if (name == "in_dist" && data.in_dist) {
      chosen.push_back({"in_dist", *data.in_dist});
      continue;
    }
    bool found = false;
    for (const ScoreSet& set : all) {
      if (set.name == name) {
        chosen.push_back(set);
        found = true;
      }
    }
    if (!found) {
      throw std::runtime_error(experiment.source.string() + ": score.sets names \"" + name +
                               "\", which is not a set of [data] (in_dist, in_dist_test, general or an "
                               "ood name)");
    }
  }
  return chosen;
}

std::vector<ScoreSummary> score_sets(const config::ExperimentConfig& experiment,
                                     const storage::Checkpoint& checkpoint, const std::vector<ScoreSet>& sets,
                                     const std::filesystem::path& output, distributed::Communicator& comm,
                                     const at::Device& device) {
  model::Glow glow(model_io::glow_options(experiment.model));
  glow->to(device);
  model_io::load_model_state(checkpoint, *glow);
  glow->eval();
  const int scales = experiment.model.scales;

  storage::ScoreFileInfo info;
  info.checkpoint.run_id = checkpoint.metadata.count("run_id") ? checkpoint.meta_string("run_id") : "";
  info.checkpoint.step = checkpoint.meta_int("step");
  info.checkpoint.checksum = checkpoint.checksum;
  info.checkpoint.path = checkpoint.path.string();
  info.versions = util::versions_line(util::query_runtime_info());
  info.n_scales = scales;
  std::filesystem::create_directories(output.parent_path().empty() ? "." : output.parent_path());
  storage::ScoreWriter writer = storage::ScoreWriter::create_parallel(output, MPI_COMM_WORLD, info);
  data::BatchToTensor to_tensor(device);

  std::vector<ScoreSummary> summaries;
  for (const ScoreSet& set : sets) {
    const auto source = data::make_source(set.source);
    writer.begin_set({set.name, set.source.path, source->size(), fingerprint(*source)});
    data::Loader loader(*source, data::evaluation_loader_options(experiment.data, experiment.score.batch_size),
                        comm.rank(), comm.size());
    double bpd_sum = 0, finite = 0, non_finite = 0;
    {
      c10::InferenceMode inference;
      while (auto batch = loader.next()) {
        const model::LikelihoodRecord r = glow->forward(to_tensor.images(*batch, data::Dequantize::bin_centre));
        const at::Tensor log_p = host_double(r.log_p), bpd = host_double(r.bpd);
        const at::Tensor F = host_double(r.flow_logdet), A = host_double(r.prior_logdet);
        const at::Tensor G = host_double(r.gaussian_logp), lp = host_double(r.scale_logp);
        storage::ScoreRowsView rows;
        rows.n = batch->size();
        rows.index = batch->indices.data();
        rows.log_p = log_p.data_ptr<double>();
        rows.bpd = bpd.data_ptr<double>();
        rows.F = F.data_ptr<double>();
        rows.A = A.data_ptr<double>();
        rows.G = G.data_ptr<double>();
        rows.lp = lp.data_ptr<double>();
        writer.add_rows(batch->first_position, rows);
        const at::Tensor ok = at::isfinite(log_p);
        finite += ok.sum().item<double>();
        non_finite += static_cast<double>(batch->size()) - ok.sum().item<double>();
        bpd_sum += at::where(ok, bpd, at::zeros_like(bpd)).sum().item<double>();
      }
    }
    writer.end_set();
    at::Tensor sums = at::tensor({bpd_sum, finite, non_finite}, at::kDouble).to(device);
    comm.allreduce(sums, distributed::ReduceOp::kSum)->synchronize();
    sums = sums.cpu();
    ScoreSummary summary{set.name, source->size(), sums[0].item<double>() / std::max(1.0, sums[1].item<double>()),
                         static_cast<std::int64_t>(sums[2].item<double>())};
    HIERAD_LOG(info) << "scored " << set.name << ": " << summary.count << " images, mean "
                     << summary.mean_bpd << " bits/dim" << (summary.non_finite ? ", " : "")
                     << (summary.non_finite ? std::to_string(summary.non_finite) + " non-finite" : "");
    summaries.push_back(summary);
  }
  writer.close();
  return summaries;
}

}  // namespace hierad::score
