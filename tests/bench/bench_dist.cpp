// Communication benchmark of the distributed layer, nccl-tests style (small).
//
// 1. Allreduce: for each size, the time per allreduce of hierad's Communicator, algbw = S / t and
//    busbw = algbw * 2 (n - 1) / n (nccl-tests' PERFORMANCE.md: busbw is comparable with the
//    hardware's peak whatever the rank count). On the CPU it measures both MPI flavours (MPI_I*
//    and blocking) next to a raw MPI_Allreduce of the same buffer, the baseline, and prints the
//    ratios. Results are checked outside the timed loop on crafted inputs; the wrong-element count
//    is summed over ranks.
// 2. GradSync: one training step (forward, backward, finish) of a conv stack, without
//    communication and with each synchronisation mode (MPI: flat, bucketed MPI_I*, bucketed
//    blocking; NCCL: flat, bucketed); the share of the step spent communicating is 1 - local / mode,
//    next to the exposed communication GradSync itself measured (host clock for MPI, CUDA events
//    on the compute stream for NCCL). The modes' gradients are compared with each other.
// Every timed loop ends with a device synchronisation before the clock is read (on a GPU the
// host only enqueues: its clock alone would time the launches, not the work).
// Any wrong element makes the exit status non-zero.
//
//   mpirun -np 2 bench_dist [-b MIN] [-e MAX] [-f FACTOR] [-w WARMUP] [-n ITERS]
//                           [--backend mpi|nccl|auto] [--steps N] [--channels C]
//   sizes accept K/M/G suffixes (bytes); the dtype is float32. --steps 0 skips part 2.
#include "src/distributed/factory.hpp"
#include "src/distributed/grad_sync.hpp"
#include "src/distributed/mpi_session.hpp"

#include "src/distributed/flat_parameters.hpp"

#include <ATen/ATen.h>
#include <mpi.h>
#include <torch/cuda.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/types.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>

namespace {

using hierad::distributed::Communicator;
using hierad::distributed::ReduceOp;

struct BenchOptions {
  std::int64_t min_bytes = 4096;
  std::int64_t max_bytes = 64ll << 20;
  std::int64_t factor = 4;
  int warmup = 3;
  int iters = 20;
  hierad::distributed::Backend backend = hierad::distributed::Backend::kMpi;
  int steps = 3;         // GradSync steps timed per mode (after one warm-up step)
  int channels = 512;    // conv stack width: 4 layers of C*C*9 floats (C = 512: 37.7 MB)
};

std::int64_t parse_size(const std::string& text) {
  std::size_t used = 0;
  const double value = std::stod(text, &used);
  const std::string suffix = text.substr(used);
  double scale = 1;
  if (suffix == "K" || suffix == "k") {
    scale = 1024.0;
  } else if (suffix == "M" || suffix == "m") {
    scale = 1024.0 * 1024;
  } else if (suffix == "G" || suffix == "g") {
    scale = 1024.0 * 1024 * 1024;
  } else if (!suffix.empty()) {
    throw std::invalid_argument("bad size '" + text + "'");
  }
  return static_cast<std::int64_t>(value * scale);
}

BenchOptions parse(int argc, char** argv) {
  BenchOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument("missing value after " + arg);
    const std::string value = argv[++i];
    if (arg == "-b") o.min_bytes = parse_size(value);
    else if (arg == "-e") o.max_bytes = parse_size(value);
    else if (arg == "-f") o.factor = std::stoll(value);
    else if (arg == "-w") o.warmup = std::stoi(value);
    else if (arg == "-n") o.iters = std::stoi(value);
    else if (arg == "--backend") o.backend = hierad::distributed::parse_backend(value);
    else if (arg == "--steps") o.steps = std::stoi(value);
    else if (arg == "--channels") o.channels = std::stoi(value);
    else throw std::invalid_argument("unknown option " + arg);
  }
  if (o.min_bytes < 4 || o.max_bytes < o.min_bytes || o.factor < 2 || o.iters < 1 ||
      o.warmup < 0 || o.steps < 0 || o.channels < 1) {
    throw std::invalid_argument("need 4 <= -b <= -e, -f >= 2, -n >= 1, -w >= 0, --steps >= 0, "
                                "--channels >= 1");
  }
  return o;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Average over ranks of a per-rank time (nccl-tests' default) and the maximum.
double rank_average(Communicator& comm, double value) {
  double sum = 0;
  for (double v : comm.allgather(value)) sum += v;
  return sum / comm.size();
}
double rank_max(Communicator& comm, double value) {
  double best = 0;
  for (double v : comm.allgather(value)) best = std::max(best, v);
  return best;
}

// Seconds per call of `once` (warm-up, barrier, then `iters` calls back to back, then `drain`,
// which blocks until the device has finished them), rank-averaged.
double time_loop(Communicator& comm, const BenchOptions& o, const std::function<void()>& once,
                 const std::function<void()>& drain = [] {}) {
  for (int i = 0; i < o.warmup; ++i) once();
  drain();
  comm.barrier();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < o.iters; ++i) once();
  drain();
  return rank_average(comm, seconds_since(start) / o.iters);
}

// Element i of rank r is (r + 1) * (i % 7 + 1); the sum is (i % 7 + 1) * n (n + 1) / 2, exact in
// float32 for any realistic rank count. Returns the number of wrong elements on this rank.
std::int64_t check(Communicator& comm, std::int64_t count, const at::Device& device) {
  const auto i = at::arange(count, at::kLong);
  at::Tensor data = ((i.remainder(7) + 1) * (comm.rank() + 1)).to(at::kFloat).to(device);
  comm.allreduce(data, ReduceOp::kSum)->synchronize();
  const std::int64_t n = comm.size();
  const at::Tensor expected = ((i.remainder(7) + 1) * (n * (n + 1) / 2)).to(at::kFloat);
  return data.cpu().ne(expected).sum().item<std::int64_t>();
}

double busbw(std::int64_t bytes, double seconds, int n) {
  return static_cast<double>(bytes) / seconds / 1e9 * 2.0 * (n - 1) / n;
}

// Part 1. `blocking` is null for the NCCL backend.
std::int64_t allreduce_table(const BenchOptions& o, Communicator& comm, Communicator* blocking,
                             const at::Device& device) {
  const int n = comm.size();
  const bool root = comm.rank() == 0;
  if (root) {
    std::printf("# allreduce: backend %s, %d rank(s), float32, sum, in place, %d warm-up + %d "
                "timed iterations, time averaged over ranks, bandwidths in GB/s\n",
                hierad::distributed::to_string(comm.backend()), n, o.warmup, o.iters);
    std::printf("# %11s | %10s %7s | %10s %7s | %10s %7s | %6s %6s | %6s\n", "size(B)",
                blocking ? "MPI_I*(us)" : "time(us)", "busbw", "blocking", "busbw", "raw MPI",
                "busbw", "I*/raw", "bl/raw", "#wrong");
  }
  std::int64_t wrong_total = 0;
  for (std::int64_t bytes = o.min_bytes; bytes <= o.max_bytes; bytes *= o.factor) {
    const std::int64_t count = bytes / 4;
    // Zeros while timing: sums of zeros stay zeros, so no value drifts towards overflow.
    at::Tensor buffer = at::zeros({count}, at::TensorOptions().dtype(at::kFloat).device(device));
    // Collectives of one communicator run in order on its stream: the last one done, all done.
    std::unique_ptr<hierad::distributed::Work> last;
    const double t = time_loop(
        comm, o,
        [&] {
          last = comm.allreduce(buffer, ReduceOp::kSum);
          last->wait();
        },
        [&] {
          if (last) last->synchronize();
        });
    std::int64_t wrong = 0;
    for (std::int64_t w : comm.allgather(check(comm, count, device))) wrong += w;
    double t_blocking = 0;
    double t_raw = 0;
    if (blocking != nullptr) {
      t_blocking =
          time_loop(comm, o, [&] { blocking->allreduce(buffer, ReduceOp::kSum)->wait(); });
      t_raw = time_loop(comm, o, [&] {
        MPI_Allreduce(MPI_IN_PLACE, buffer.data_ptr(), static_cast<int>(count), MPI_FLOAT, MPI_SUM,
                      MPI_COMM_WORLD);
      });
      for (std::int64_t w : comm.allgather(check(*blocking, count, device))) wrong += w;
    }
    wrong_total += wrong;
    if (root) {
      const long long b = static_cast<long long>(count * 4);
      if (blocking != nullptr) {
        std::printf("  %11lld | %10.1f %7.3f | %10.1f %7.3f | %10.1f %7.3f | %6.2f %6.2f | %6lld\n",
                    b, t * 1e6, busbw(b, t, n), t_blocking * 1e6, busbw(b, t_blocking, n),
                    t_raw * 1e6, busbw(b, t_raw, n), t / t_raw, t_blocking / t_raw,
                    static_cast<long long>(wrong));
      } else {
        std::printf("  %11lld | %10.1f %7.3f | %10s %7s | %10s %7s | %6s %6s | %6lld\n", b, t * 1e6,
                    busbw(b, t, n), "-", "-", "-", "-", "-", "-", static_cast<long long>(wrong));
      }
      std::fflush(stdout);
    }
  }
  return wrong_total;
}

// Part 2: a conv stack whose step has both real compute and tens of MB of gradients.
struct StackImpl : torch::nn::Module {
  explicit StackImpl(int channels) {
    for (int i = 0; i < 4; ++i) {
      layers.push_back(register_module(
          "conv" + std::to_string(i),
          torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1))));
    }
  }
  torch::Tensor forward(torch::Tensor x) {
    for (auto& layer : layers) x = torch::tanh(layer(x));
    return x;
  }
  std::vector<torch::nn::Conv2d> layers;
};
TORCH_MODULE(Stack);

struct Mode {
  const char* name;
  Communicator* comm;  // null: no communication
  bool flat;
};

// `blocking` is null for NCCL (one flavour only).
std::int64_t gradsync_table(const BenchOptions& o, Communicator& nonblocking, Communicator* blocking,
                            const at::Device& device) {
  const bool root = nonblocking.rank() == 0;
  torch::manual_seed(0);
  Stack model(o.channels);
  model->to(device);
  double megabytes = 0;
  for (const auto& p : model->parameters()) megabytes += static_cast<double>(p.numel()) * 4 / 1e6;
  const auto input = torch::randn({4, o.channels, 8, 8}).add(nonblocking.rank()).to(device);
  std::vector<Mode> modes = {{"local, no communication", nullptr, false}};
  if (blocking != nullptr) {
    modes.push_back({"flat, blocking MPI", blocking, true});
    modes.push_back({"bucketed, MPI_I* (overlap)", &nonblocking, false});
    modes.push_back({"bucketed, blocking MPI", blocking, false});
  } else {
    modes.push_back({"flat, NCCL", &nonblocking, true});
    modes.push_back({"bucketed, NCCL (overlap)", &nonblocking, false});
  }
  auto drain = [&device] {
    if (device.is_cuda()) torch::cuda::synchronize();
  };
  if (root) {
    std::printf("# GradSync step (forward + backward + finish): 4 conv3x3 %d->%d layers, %.1f MB "
                "of float32 gradients, batch 4x8x8 per rank, default buckets (1 MiB, 25 MiB), "
                "%d timed steps, slowest rank\n",
                o.channels, o.channels, megabytes, o.steps);
    std::printf("# %-28s | %10s | %8s | %10s | %8s | %s\n", "mode", "ms/step", "comm %",
                "exposed ms", "buckets", "launched in backward");
  }
  double local_seconds = 0;
  std::vector<torch::Tensor> reference;
  std::int64_t wrong = 0;
  for (const Mode& mode : modes) {
    hierad::distributed::BucketOptions options;
    options.flat = mode.flat;
    hierad::distributed::FlatParameters flat(model->parameters(), options);
    std::unique_ptr<hierad::distributed::GradSync> sync;
    if (mode.comm != nullptr) sync = std::make_unique<hierad::distributed::GradSync>(flat, *mode.comm);
    auto step = [&] {
      flat.zero_grad();
      model->forward(input).pow(2).mean().backward();
      if (sync) sync->finish();
    };
    step();  // warm-up
    drain();
    if (sync) sync->exposed_timer().take_seconds();
    nonblocking.barrier();
    const auto start = std::chrono::steady_clock::now();
    for (int s = 0; s < o.steps; ++s) step();
    drain();
    const double seconds = rank_max(nonblocking, seconds_since(start) / o.steps);
    const double exposed = sync ? rank_max(nonblocking, sync->exposed_timer().take_seconds() / o.steps) : 0.0;
    if (mode.comm == nullptr) local_seconds = seconds;
    // All communicating modes must produce the same averaged gradients.
    if (mode.comm != nullptr) {
      std::vector<torch::Tensor> grads;
      for (const auto& p : model->parameters()) grads.push_back(p.grad().cpu());
      if (reference.empty()) {
        reference = grads;
      } else {
        for (std::size_t i = 0; i < grads.size(); ++i) {
          const double scale = reference[i].abs().max().item<double>();
          wrong += (grads[i] - reference[i]).abs().gt(1e-5 * scale).sum().item<std::int64_t>();
        }
      }
    }
    if (root) {
      const auto stats = sync ? sync->last_step() : hierad::distributed::GradSync::StepStats{};
      std::printf("  %-28s | %10.1f | %8.1f | %10.2f | %8d | %d\n", mode.name, seconds * 1e3,
                  mode.comm ? 100.0 * (1.0 - local_seconds / seconds) : 0.0, exposed * 1e3,
                  stats.buckets, stats.launched_in_backward);
      std::fflush(stdout);
    }
  }
  std::int64_t total = 0;
  for (std::int64_t w : nonblocking.allgather(wrong)) total += w;
  return total;
}

int run(const BenchOptions& o, const at::Device& device) {
  // On the CPU `comm` is the nonblocking MPI flavour and `blocking` the default one.
  auto comm = hierad::distributed::make_communicator(o.backend, device, MPI_COMM_WORLD,
                                              hierad::distributed::MpiOptions{true});
  std::unique_ptr<Communicator> blocking;
  if (comm->backend() == hierad::distributed::Backend::kMpi) {
    blocking = hierad::distributed::make_communicator(o.backend, device, MPI_COMM_WORLD,
                                               hierad::distributed::MpiOptions{false});
  }
  std::int64_t wrong = allreduce_table(o, *comm, blocking.get(), device);
  if (o.steps > 0) wrong += gradsync_table(o, *comm, blocking.get(), device);
  if (comm->rank() == 0) {
    std::printf("# Out of bounds values : %lld %s\n", static_cast<long long>(wrong),
                wrong == 0 ? "OK" : "FAILED");
  }
  return wrong == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  hierad::distributed::MpiSession mpi(&argc, &argv);
  try {
    const BenchOptions options = parse(argc, argv);
    at::set_num_threads(1);  // one core per rank under mpirun
    // --backend auto/nccl: the local rank's GPU when there is one (the CPU otherwise).
    const hierad::distributed::DeviceChoice choice = hierad::distributed::select_device(
        options.backend == hierad::distributed::Backend::kMpi ? "cpu" : "auto");
    const at::Device device = choice.cuda ? at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(choice.index))
                                          : at::Device(at::kCPU);
    return run(options, device);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "[rank %d] bench_dist: %s\n", mpi.world_rank(), e.what());
    return 1;
  }
}
