// `layout_sample DIR`: writes DIR/ckpt-00000500.h5 and DIR/metrics.h5 with known content, for
// check_layout_h5py.py to read with h5py as storage/README.md tells an outside user to.

#include <cstdio>
#include <exception>
#include <filesystem>

#include "checkpoint_sample.hpp"
#include "storage/checkpoint_dir.hpp"
#include "storage/metrics_log.hpp"

using namespace hierad::storage;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    std::filesystem::remove_all(dir);
    CheckpointDir ckpts(dir, 3);
    const test::SampleCheckpoint s(500);
    ckpts.write(500, s.views(), s.metadata);
    MetricsLog log(dir / "metrics.h5", "train", {"step", "loss", "bpd"});
    for (int step = 1; step <= 5; ++step) log.append({double(step), 100.0 / step, 3.0 + 1.0 / step});
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
