#include "src/score/scorer.hpp"

#include "src/score/fingerprint.hpp"
#include "src/score/scoring_forward.hpp"
#include "src/data/loader.hpp"
#include "src/data/make_source.hpp"
#include "src/data/to_tensor.hpp"
#include "src/model/glow.hpp"
#include "src/model_io/glow_factory.hpp"
#include "src/model_io/model_state.hpp"
#include "src/util/log.hpp"
#include "src/util/runtime_info.hpp"
#include "src/distributed/stop_signal.hpp"
#include "storage/durable_file.hpp"
#include "storage/score_reader.hpp"
#include "storage/score_store.hpp"

#include <ATen/ATen.h>
#include <c10/core/Event.h>
#include <c10/core/impl/VirtualGuardImpl.h>
#include <mpi.h>

#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>

namespace hierad::score {
namespace {

// Note [Scoring pipeline]
// Each batch's packed terms (scoring_forward.hpp) go to a pinned host buffer by an asynchronous
// copy, with an event after it; the batch before is written to the score file while the device
// computes this one, after waiting for its event: one synchronisation per batch, and the file
// writes overlap the model. On the CPU the packed tensor is already on the host (no copy, no wait).
struct InFlight {
  data::Batch batch;
  at::Tensor host;                 // packed terms on the host
  std::optional<c10::Event> done;  // CUDA: the copy into `host` has finished
};

struct SetTotals {
  double bpd_sum = 0, finite = 0, non_finite = 0;
};

void add_to_totals(const storage::ScoreRowsView& rows, SetTotals& totals) {
  for (std::int64_t i = 0; i < rows.n; ++i) {
    if (std::isfinite(rows.log_p[i])) {
      totals.finite += 1;
      totals.bpd_sum += rows.bpd[i];
    } else {
      totals.non_finite += 1;
    }
  }
}

void write_batch(InFlight& item, int scales, storage::ScoreWriter& writer, SetTotals& totals) {
  if (item.done) item.done->synchronize();
  const PackedLayout layout{item.batch.size(), scales};
  const double* v = item.host.data_ptr<double>();
  storage::ScoreRowsView rows;
  rows.n = layout.n;
  rows.index = item.batch.indices.data();
  rows.log_p = v + layout.log_p();
  rows.bpd = v + layout.bpd();
  rows.F = v + layout.F();
  rows.A = v + layout.A();
  rows.G = v + layout.G();
  rows.lp = v + layout.lp();
  writer.add_rows(item.batch.first_position, rows);
  add_to_totals(rows, totals);
}

InFlight start_batch(data::Batch batch, const at::Tensor& packed) {
  InFlight item;
  item.batch = std::move(batch);
  if (!packed.is_cuda()) {
    item.host = packed.contiguous();
    return item;
  }
  item.host = at::empty(packed.sizes(), packed.options().device(at::kCPU).pinned_memory(true));
  item.host.copy_(packed, /*non_blocking=*/true);
  item.done.emplace(c10::DeviceType::CUDA);
  const c10::impl::VirtualGuardImpl cuda(c10::DeviceType::CUDA);
  item.done->record(cuda.getStream(packed.device()));
  return item;
}

// Note [Pre-emptible scoring]: after each batch round, whether some rank wants to stop and whether
// some rank still has a batch of the set. Blocking, on the host: a few microseconds a batch.
struct Round {
  bool stop = false, more = false;
};
Round agree_on_round(bool local_stop, bool local_more) {
  int flags[2] = {local_stop ? 1 : 0, local_more ? 1 : 0};
  MPI_Allreduce(MPI_IN_PLACE, flags, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return {flags[0] != 0, flags[1] != 0};
}

// The sets of <output>.partial that a stopped run of this same scoring finished (rank 0 only;
// the others get an empty map and learn from rank 0 which sets are kept).
std::map<std::string, storage::ScoreSet> finished_earlier(const std::filesystem::path& output,
                                                          const storage::ScoreFileInfo& info, int rank) {
  const std::filesystem::path partial = storage::partial_score_path(output);
  if (rank != 0 || !std::filesystem::exists(partial)) return {};
  storage::ScoreFile file;
  try {
    file = storage::read_score_file(partial);
  } catch (const std::exception& error) {
    HIERAD_LOG(warn) << "ignoring the unreadable partial score file: " << error.what();
    return {};
  }
  if (file.info.checkpoint.checksum != info.checkpoint.checksum || file.info.n_scales != info.n_scales) {
    HIERAD_LOG(warn) << "ignoring " << partial.string() << ": it scored another checkpoint ("
                     << file.info.checkpoint.path << ", step " << file.info.checkpoint.step << ")";
    return {};
  }
  std::map<std::string, storage::ScoreSet> sets;
  for (auto& set : file.sets) sets.emplace(set.info.name, std::move(set));
  return sets;
}

bool same_set(const storage::ScoreSetInfo& a, const storage::ScoreSetInfo& b) {
  return a.name == b.name && a.path == b.path && a.count == b.count && a.fingerprint == b.fingerprint;
}

storage::ScoreRowsView rows_of(const storage::ScoreSet& set) {
  storage::ScoreRowsView rows;
  rows.n = set.size();
  rows.index = set.index.data();
  rows.log_p = set.log_p.data();
  rows.bpd = set.bpd.data();
  rows.F = set.F.data();
  rows.A = set.A.data();
  rows.G = set.G.data();
  rows.lp = set.lp.data();
  return rows;
}

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

ScoreOutcome score_sets(const config::ExperimentConfig& experiment, const storage::Checkpoint& checkpoint,
                        const std::vector<ScoreSet>& sets, const std::filesystem::path& output,
                        distributed::Communicator& comm, const at::Device& device) {
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
  storage::require_writable_directory(output.parent_path());  // before the model runs (every rank)
  const std::map<std::string, storage::ScoreSet> earlier = finished_earlier(output, info, comm.rank());
  storage::ScoreWriter writer = storage::ScoreWriter::create_parallel(output, MPI_COMM_WORLD, info);
  data::BatchToTensor to_tensor(device);
  const std::unique_ptr<ScoringForward> forward =
      device.is_cuda() && experiment.score.cuda_graph ? cuda_graph_forward(glow, experiment.score.batch_size)
                                                      : eager_forward(glow);
  HIERAD_LOG(info) << "scoring forward: " << forward->describe();

  ScoreOutcome outcome;
  for (const ScoreSet& set : sets) {
    const auto source = data::make_source(set.source, experiment.model.channels);
    const storage::ScoreSetInfo set_info{set.name, set.source.path, source->size(), fingerprint(*source)};
    writer.begin_set(set_info);
    SetTotals totals;
    const auto found = earlier.find(set.name);
    int keep = found != earlier.end() && same_set(found->second.info, set_info) ? 1 : 0;
    MPI_Bcast(&keep, 1, MPI_INT, 0, MPI_COMM_WORLD);  // rank 0 read the partial file
    if (keep) {
      if (comm.rank() == 0) {
        writer.add_rows(0, rows_of(found->second));
        add_to_totals(rows_of(found->second), totals);
      }
      outcome.kept.push_back(set.name);
    } else {
      data::Loader loader(*source, data::evaluation_loader_options(experiment.data, experiment.score.batch_size),
                          comm.rank(), comm.size());
      std::optional<InFlight> previous;  // Note [Scoring pipeline]
      std::int64_t rounds = 0;
      while (true) {
        auto batch = loader.next();
        const Round round = agree_on_round(distributed::stop_requested() != 0, batch.has_value());
        if (round.stop) {  // Note [Pre-emptible scoring]
          HIERAD_LOG(warn) << "stopped by signal " << distributed::stop_requested() << " in set " << set.name
                           << " after " << rounds << " batches; keeping the " << outcome.summaries.size()
                           << " finished sets in " << storage::partial_score_path(output).string();
          outcome.preempted = true;
          break;
        }
        if (!round.more) break;
        ++rounds;
        if (!batch) continue;  // this rank's slice has ended; the others still have a batch
        const at::Tensor pixels = to_tensor.pixels(*batch);
        InFlight current = start_batch(std::move(*batch), forward->run(pixels));
        if (previous) write_batch(*previous, scales, writer, totals);
        previous = std::move(current);
      }
      if (outcome.preempted) break;
      if (previous) write_batch(*previous, scales, writer, totals);
    }
    writer.end_set();
    at::Tensor sums = at::tensor({totals.bpd_sum, totals.finite, totals.non_finite}, at::kDouble).to(device);
    comm.allreduce(sums, distributed::ReduceOp::kSum)->synchronize();
    sums = sums.cpu();
    ScoreSummary summary{set.name, source->size(), sums[0].item<double>() / std::max(1.0, sums[1].item<double>()),
                         static_cast<std::int64_t>(sums[2].item<double>())};
    HIERAD_LOG(info) << (keep ? "kept " : "scored ") << set.name << ": " << summary.count << " images, mean "
                     << summary.mean_bpd << " bits/dim" << (summary.non_finite ? ", " : "")
                     << (summary.non_finite ? std::to_string(summary.non_finite) + " non-finite" : "")
                     << (keep ? " (finished by an earlier, stopped run)" : "");
    outcome.summaries.push_back(summary);
  }
  if (outcome.preempted) {
    writer.close_unfinished();
  } else {
    writer.close();
  }
  return outcome;
}

}  // namespace hierad::score
