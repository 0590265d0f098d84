// The experiment parser: TOML syntax, an `inherit` chain (the input's first part is base.toml,
// which the rest, exp.toml, may inherit; base.toml may inherit it back, a cycle), ${VAR} with and
// without fallback (HIERAD_FUZZ_VAR and the data variables experiments/ uses are set, others are
// not), [stages] and [sweep] through
// plan_sweep, and single-run files through load_experiment. A config that loads must print back to
// TOML that parses to the same config (to_toml's documented round trip).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "src/config/config_io.hpp"
#include "src/config/sweep_plan.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hierad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool env_set = [] {
    for (const char* name : {"HIERAD_FUZZ_VAR", "CIFAR10_DIR", "CIFAR100_DIR", "SVHN_DIR", "TINY_IMAGES", "DEMO_DATA",
                             "FASHION_MNIST", "FASHION_MNIST_DIR", "MNIST_DIR", "CELEBA_H5", "LSUN_DIR",
                             "TINY_IMAGENET_DIR", "TINY_IMAGES_GREY", "TINY_EXCLUDE"}) {
      setenv(name, "/fuzz/data", 1);
    }
    return true;
  }();
  (void)env_set;
  fuzz::InputReader in(data, size);
  const auto dir = fuzz::scratch_dir();
  fuzz::write_file(dir / "base.toml", in.take_part());
  fuzz::write_file(dir / "exp.toml", in.rest());
  fuzz::accept_rejection([&] { config::plan_sweep(dir / "exp.toml"); });
  fuzz::accept_rejection([&] {
    const config::ExperimentConfig loaded = config::load_experiment(dir / "exp.toml");
    const std::string printed = config::to_toml(loaded);
    const std::string reprinted = config::to_toml(config::parse_experiment(printed, "printed"));
    if (printed != reprinted) {
      std::fprintf(stderr, "to_toml round trip differs:\n%s\n---\n%s\n", printed.c_str(), reprinted.c_str());
      std::abort();
    }
  });
  return 0;
}
