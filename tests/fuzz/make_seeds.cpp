// `fuzz_make_seeds DIR`: small valid files of the formats whose writers are libraries (HDF5 through
// hierad's own writers, MAT through matio, PNG/JPEG through stb_image_write), for make_seeds.py to
// turn into the seed corpora under corpus/. Content is deterministic so reruns give the same files.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include <matio.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#include "src/data/hdf5_images.hpp"
#include "storage/checkpoint.hpp"
#include "storage/score_store.hpp"

using namespace hierad;
namespace fs = std::filesystem;

namespace {

std::uint8_t pixel(std::size_t i) { return static_cast<std::uint8_t>((i * 37 + i / 7) & 0xff); }

// A tiny in-memory source for write_hdf5_images.
class PatternSource final : public data::Source {
 public:
  PatternSource(data::Shape shape, std::int64_t n, bool labelled) : shape_(shape), n_(n), labelled_(labelled) {}
  std::int64_t size() const override { return n_; }
  data::Shape shape() const override { return shape_; }
  void read(std::int64_t index, std::uint8_t* out) const override {
    for (std::int64_t b = 0; b < shape_.bytes(); ++b) out[b] = pixel(static_cast<std::size_t>(index * 1000 + b));
  }
  int label(std::int64_t index) const override { return labelled_ ? static_cast<int>(index % 10) : -1; }
  std::string name() const override { return "pattern"; }

 private:
  data::Shape shape_;
  std::int64_t n_;
  bool labelled_;
};

void checkpoint(const fs::path& dir) {
  const std::vector<float> w = {0.5f, -1.25f, 3.0f, 4.0f, 5.5f, 6.0f};
  const std::vector<std::int64_t> positions = {8, 12};
  const std::vector<std::uint8_t> rng = {1, 2, 3, 4, 5, 6, 7, 8};
  const std::vector<double> empty;
  const storage::Metadata meta = {{"step", std::int64_t{500}}, {"lr", 5e-4}, {"config", std::string("[train]\nlr = 5e-4\n")}};
  storage::write_checkpoint(dir / "ckpt.h5",
                            {storage::view_of("model/scale0/w", w, {2, 3}), storage::view_of("loader/positions", positions),
                             storage::view_of("rng/rank0", rng), storage::view_of("empty", empty)},
                            meta);
}

void score_file(const fs::path& dir, bool compress) {
  storage::ScoreWriterOptions options;
  options.compress = compress;
  options.chunk_rows = 4;
  const storage::ScoreFileInfo info{{"run-1", 500, 0x12345678u, "/runs/r1/ckpt-00000500.h5"}, "hierad fuzz seed", 2};
  auto w = storage::ScoreWriter::create_serial(dir / (compress ? "scores_deflate.h5" : "scores_plain.h5"), info, options);
  for (const auto& [name, n] : std::vector<std::pair<std::string, std::int64_t>>{{"test", 5}, {"empty", 0}}) {
    w.begin_set({name, "/data/" + name, n, "fp-" + name});
    std::vector<std::int64_t> index;
    std::vector<double> a, b, m;
    for (std::int64_t i = 0; i < n; ++i) {
      index.push_back(i);
      a.push_back(-1.5 * i);
      b.push_back(0.25 * i);
      m.push_back(double(i));
      m.push_back(double(-i));
    }
    if (n > 0) w.add_rows(0, {n, index.data(), a.data(), b.data(), m.data(), m.data(), m.data(), m.data()});
    w.end_set();
  }
  w.close();
}

void mat_file(const fs::path& path, mat_ft version, matio_compression compression) {
  mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, version);
  if (mat == nullptr) throw std::runtime_error("cannot create " + path.string());
  std::vector<std::uint8_t> x(32 * 32 * 3 * 2);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = pixel(i);
  std::vector<double> y = {10, 3};
  size_t xdims[4] = {32, 32, 3, 2}, ydims[2] = {2, 1};
  matvar_t* vx = Mat_VarCreate("X", MAT_C_UINT8, MAT_T_UINT8, 4, xdims, x.data(), 0);
  matvar_t* vy = Mat_VarCreate("y", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, ydims, y.data(), 0);
  Mat_VarWrite(mat, vx, compression);
  Mat_VarWrite(mat, vy, compression);
  Mat_VarFree(vx);
  Mat_VarFree(vy);
  Mat_Close(mat);
}

void images(const fs::path& dir) {
  std::vector<std::uint8_t> rgb(7 * 5 * 3), grey(6 * 6);
  for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = pixel(i);
  for (std::size_t i = 0; i < grey.size(); ++i) grey[i] = pixel(i * 3);
  stbi_write_png((dir / "rgb.png").c_str(), 7, 5, 3, rgb.data(), 7 * 3);
  stbi_write_png((dir / "grey.png").c_str(), 6, 6, 1, grey.data(), 6);
  stbi_write_jpg((dir / "rgb.jpg").c_str(), 7, 5, 3, rgb.data(), 90);
  stbi_write_jpg((dir / "grey.jpg").c_str(), 6, 6, 1, grey.data(), 90);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  try {
    const fs::path dir = argv[1];
    fs::create_directories(dir);
    checkpoint(dir);
    score_file(dir, true);
    score_file(dir, false);
    data::write_hdf5_images(PatternSource({3, 8, 6}, 3, true), dir / "images_nchw.h5", "images", data::ImageLayout::nchw);
    data::write_hdf5_images(PatternSource({1, 32, 32}, 2, false), dir / "images_nhwc.h5", "images", data::ImageLayout::nhwc);
    mat_file(dir / "svhn_v5.mat", MAT_FT_MAT5, MAT_COMPRESSION_NONE);
    mat_file(dir / "svhn_v5_zlib.mat", MAT_FT_MAT5, MAT_COMPRESSION_ZLIB);
    images(dir);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
