// Throughput of the Glow model: images/s of a training step (forward + backward of the mean
// bits/dim) and of scoring (forward only, c10::InferenceMode), for the CPU-sized config
// (L = 3, K = 8, hidden 128) and the default one (L = 3, K = 32, hidden 512), batch 64.
//
// Like nccl-tests: warm up, time `iters` back-to-back iterations, synchronise once; the results are
// checked outside the timed loop (scoring path == training path, the 1x1 conv weights built once
// per parameter version while scoring), and the exit status is non-zero when a check fails.
// Output: human-readable lines plus "RESULT hierad <config> <metric> <value>" lines, the same
// format as the PyTorch eager baseline (glow_eager.py), for run_model_bench.sh to form ratios.
//
//   bench_model [--config cpu|default|all] [--threads N] [--batch 64] [--warmup W] [--iters I]
//               [--device cpu|cuda] [--precision fp32|tf32|bf16] [--profile trace.json]
#include "src/model/glow.hpp"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {

using hierad::model::Glow;
using hierad::model::GlowOptions;
using hierad::model::Precision;

struct BenchOptions {
  std::string config = "all";
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  int batch = 64;
  int warmup = -1;  // -1: the config's default
  int iters = -1;
  std::string device = "cpu";
  Precision precision = Precision::fp32;
  std::string profile;  // legacy-profiler chrome trace of one training step and one scoring call
};

struct Config {
  std::string name;
  int scales, steps, hidden, warmup, iters;
};

const std::vector<Config> kConfigs = {{"cpu", 3, 8, 128, 2, 5}, {"default", 3, 32, 512, 1, 2}};

[[noreturn]] void usage(const std::string& error) {
  std::fprintf(stderr,
               "bench_model: %s\nusage: bench_model [--config cpu|default|all] [--threads N] "
               "[--batch N] [--warmup N] [--iters N] [--device cpu|cuda] "
               "[--precision fp32|tf32|bf16] [--profile trace.json]\n",
               error.c_str());
  std::exit(2);
}

BenchOptions parse(int argc, char** argv) {
  BenchOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) usage("missing value after " + arg);
    const std::string value = argv[++i];
    try {
      if (arg == "--config") o.config = value;
      else if (arg == "--threads") o.threads = std::stoi(value);
      else if (arg == "--batch") o.batch = std::stoi(value);
      else if (arg == "--warmup") o.warmup = std::stoi(value);
      else if (arg == "--iters") o.iters = std::stoi(value);
      else if (arg == "--device") o.device = value;
      else if (arg == "--profile") o.profile = value;
      else if (arg == "--precision") {
        if (value == "fp32") o.precision = Precision::fp32;
        else if (value == "tf32") o.precision = Precision::tf32;
        else if (value == "bf16") o.precision = Precision::bf16;
        else usage("unknown precision " + value);
      } else {
        usage("unknown option " + arg);
      }
    } catch (const std::logic_error&) {
      usage("bad value for " + arg + ": " + value);
    }
  }
  if (o.config != "cpu" && o.config != "default" && o.config != "all") usage("unknown config " + o.config);
  if (o.threads < 1 || o.batch < 1) usage("--threads and --batch must be >= 1");
  return o;
}

// Dequantised uniform pixels, as the data layer feeds them: v/256 - 0.5 + u/256.
at::Tensor images(std::int64_t n, const at::Device& device) {
  const auto v = at::randint(0, 256, {n, 3, 32, 32}, at::kFloat);
  return (v / 256.0 - 0.5 + at::rand({n, 3, 32, 32}) / 256.0).to(device);
}

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Timing {
  double wall;  // seconds per call
  double cpu;   // CPU seconds of the process per call (all threads): robust on a shared machine
};

// Per-call time of fn, after `warmup` untimed calls; `sync` waits for the device.
Timing time_per_call(const std::function<void()>& fn, const std::function<void()>& sync,
                     int warmup, int iters) {
  for (int i = 0; i < warmup; ++i) fn();
  sync();
  const double cpu0 = process_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) fn();
  sync();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {wall / iters, (process_cpu_seconds() - cpu0) / iters};
}

// Multiply-add FLOPs of the convolutions in one image's forward pass (they are nearly all of the
// work): 1x1 invertible conv, conv3x3 C/2->hidden, conv1x1 hidden->hidden, conv3x3 hidden->C.
// Backward costs about twice the forward, so a training step is ~3x this.
double conv_gflop_per_image(const Config& config) {
  double flop = 0;
  double channels = 12, pixels = 16 * 16;  // RGB 32x32 after the first squeeze
  for (int k = 0; k < config.scales; ++k) {
    const double hid = config.hidden;
    flop += config.steps * 2 * pixels *
            (channels * channels + channels / 2 * hid * 9 + hid * hid + hid * channels * 9);
    channels *= 2;
    pixels /= 4;
  }
  return flop / 1e9;
}

// This machine's float32 GEMM rate at the benchmark's thread count: the roofline the
// convolutions are compared with.
double sgemm_gflops(const at::Device& device) {
  const std::int64_t n = 2048;
  const auto a = at::randn({n, n}).to(device), b = at::randn({n, n}).to(device);
  const auto sync = [&] { (void)a.sum().item<double>(); };
  const auto t = time_per_call([&] { (void)at::mm(a, b); }, sync, 1, 3);
  return 2.0 * n * n * n / t.wall / 1e9;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "?" : one;
}

// Runs one config; returns false when a check failed.
bool run(const Config& config, const BenchOptions& options) {
  const at::Device device(options.device);
  GlowOptions glow_options;
  glow_options.scales = config.scales;
  glow_options.steps = config.steps;
  glow_options.hidden = config.hidden;
  glow_options.precision = options.precision;
  at::manual_seed(0);
  Glow glow(glow_options);
  glow->to(device);
  const int warmup = options.warmup >= 0 ? options.warmup : config.warmup;
  const int iters = options.iters > 0 ? options.iters : config.iters;
  const std::int64_t lu_layers = config.scales * config.steps;
  std::printf("== %s: L=%d K=%d hidden=%d batch=%d, %lld parameters, device %s, precision %s, "
              "threads %d, load average %s\n",
              config.name.c_str(), config.scales, config.steps, config.hidden, options.batch,
              static_cast<long long>(hierad::model::parameter_count(*glow)), options.device.c_str(),
              hierad::model::to_string(options.precision), at::get_num_threads(),
              load_average().c_str());

  const auto t0 = std::chrono::steady_clock::now();
  glow->initialize(images(options.batch, device));
  const double init_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto x = images(options.batch, device);

  // Checks, outside the timed loops.
  bool ok = true;
  const auto train_bpd = glow->forward(x).bpd.detach();
  // Scoring builds each 1x1 conv weight at most once per parameter version: at most one build per
  // LU layer in the first call (none if an earlier no-autograd pass, e.g. the init, built it), and
  // none in the second.
  const auto builds0 = glow->weight_builds();
  at::Tensor score_bpd;
  std::int64_t first_builds = 0, second_builds = 0;
  {
    c10::InferenceMode guard;
    score_bpd = glow->forward(x).bpd;
    first_builds = glow->weight_builds() - builds0;
    glow->forward(x);
    second_builds = glow->weight_builds() - builds0 - first_builds;
  }
  const bool builds_ok = first_builds <= lu_layers && second_builds == 0;
  const double diff = (score_bpd - train_bpd).abs().max().item<double>();
  const bool finite = score_bpd.isfinite().all().item<bool>();
  const double tolerance = options.precision == Precision::fp32 ? 1e-4 : 1e-2;
  std::printf("check: scoring vs training path max |d bpd| = %.2e (%s), finite %s; LU weight "
              "builds while scoring: %lld in the first call, %lld in the second, %lld LU layers (%s)\n",
              diff, diff <= tolerance ? "OK" : "FAILED", finite ? "yes" : "NO",
              static_cast<long long>(first_builds), static_cast<long long>(second_builds),
              static_cast<long long>(lu_layers), builds_ok ? "OK" : "FAILED");
  ok = ok && diff <= tolerance && finite && builds_ok;

  auto params = glow->parameters();
  const auto train_step = [&] {
    for (auto& p : params) p.mutable_grad().reset();
    glow->forward(x).bpd.mean().backward();
  };
  const auto score = [&] {
    c10::InferenceMode guard;
    glow->forward(x);
  };
  const auto sync = [&] { (void)params.front().sum().item<double>(); };
  const auto train = time_per_call(train_step, sync, warmup, iters);
  const auto scoring = time_per_call(score, sync, warmup, iters);

  const char* name = config.name.c_str();
  const double b = options.batch;
  std::printf("init %.2f s; training step %.3f s = %.2f images/s (%.2f per CPU-second); scoring "
              "%.3f s = %.2f images/s (%.2f per CPU-second); %d warm-up + %d timed iterations\n",
              init_s, train.wall, b / train.wall, b / train.cpu, scoring.wall, b / scoring.wall,
              b / scoring.cpu, warmup, iters);
  const double gflop = conv_gflop_per_image(config);
  std::printf("convolutions: %.3f GFLOP per image forward; achieved %.1f GFLOP/s scoring, %.1f "
              "GFLOP/s training (3x forward); sgemm 2048^3 on this machine now: %.1f GFLOP/s\n",
              gflop, gflop * b / scoring.wall, 3 * gflop * b / train.wall, sgemm_gflops(device));
  std::printf("RESULT hierad %s threads %d\n", name, at::get_num_threads());
  std::printf("RESULT hierad %s bpd %.4f\n", name, score_bpd.mean().item<double>());
  std::printf("RESULT hierad %s train_img_s %.2f\n", name, b / train.wall);
  std::printf("RESULT hierad %s score_img_s %.2f\n", name, b / scoring.wall);
  std::printf("RESULT hierad %s train_img_cpu_s %.2f\n", name, b / train.cpu);
  std::printf("RESULT hierad %s score_img_cpu_s %.2f\n", name, b / scoring.cpu);
  std::fflush(stdout);

  if (!options.profile.empty()) {
    const auto path = config.name + "_" + options.profile;
    {
      torch::autograd::profiler::RecordProfile guard(path);
      train_step();
      score();
    }
    std::printf("profile: %s\n", path.c_str());
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse(argc, argv);
  at::set_num_threads(options.threads);
  bool ok = true;
  for (const auto& config : kConfigs) {
    if (options.config == "all" || options.config == config.name) ok = run(config, options) && ok;
  }
  std::printf("checks: %s\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}
