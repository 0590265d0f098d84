// compare_checkpoints A.h5 B.h5 [rtol [prefix]]: compares the model/ and optimizer/ arrays (or only
// those whose name starts with `prefix`) of two training
// checkpoints. rtol 0 (the default) demands identical bits; otherwise each array's relative
// difference ||a - b||_2 / ||a||_2 must be at most rtol (normwise, as numerical analysis measures a
// perturbed vector: an element near zero cannot dominate). Exit 0 when equal, 1 when not, 2 on bad
// input.
#include "storage/checkpoint.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

using hierad::storage::Array;
using hierad::storage::DType;

namespace {

std::string g_prefix;  // empty: model/ and optimizer/

bool compared_kind(const std::string& name) {
  if (!g_prefix.empty()) return name.rfind(g_prefix, 0) == 0;
  return name.rfind("model/", 0) == 0 || name.rfind("optimizer/", 0) == 0;
}

double relative_difference(const Array& a, const Array& b) {
  double diff = 0, norm = 0;
  auto visit = [&](auto tag) {
    using T = decltype(tag);
    const T* x = a.data<T>();
    const T* y = b.data<T>();
    for (std::int64_t i = 0; i < a.numel(); ++i) {
      const double u = static_cast<double>(x[i]), v = static_cast<double>(y[i]);
      diff += (u - v) * (u - v);
      norm += u * u;
    }
  };
  switch (a.dtype) {
    case DType::Float32: visit(float{}); break;
    case DType::Float64: visit(double{}); break;
    case DType::Int64: visit(std::int64_t{}); break;
    case DType::UInt8: visit(std::uint8_t{}); break;
  }
  if (!std::isfinite(diff)) return INFINITY;
  return norm > 0 ? std::sqrt(diff / norm) : (diff > 0 ? INFINITY : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s A.h5 B.h5 [rtol [prefix]]\n", argv[0]);
    return 2;
  }
  const double rtol = argc > 3 ? std::stod(argv[3]) : 0.0;
  if (argc > 4) g_prefix = argv[4];
  try {
    const auto a = hierad::storage::read_checkpoint(argv[1]);
    const auto b = hierad::storage::read_checkpoint(argv[2]);
    int compared = 0;
    double worst = 0;
    bool equal = true;
    for (const Array& x : a.arrays) {
      if (!compared_kind(x.name)) continue;
      const Array* y = b.find(x.name);
      if (y == nullptr || y->dtype != x.dtype || y->shape != x.shape) {
        std::printf("%s: missing or differently shaped in %s\n", x.name.c_str(), argv[2]);
        equal = false;
        continue;
      }
      ++compared;
      const bool identical = x.bytes == y->bytes;
      const double diff = identical ? 0.0 : relative_difference(x, *y);
      worst = std::max(worst, diff);
      if (rtol == 0 ? !identical : diff > rtol) {
        std::printf("%s differs: relative difference %.3g\n", x.name.c_str(), diff);
        equal = false;
      }
    }
    for (const Array& y : b.arrays) {
      if (compared_kind(y.name) && a.find(y.name) == nullptr) {
        std::printf("%s: only in %s\n", y.name.c_str(), argv[2]);
        equal = false;
      }
    }
    std::printf("%d arrays compared, max relative difference %.3g (%s, rtol %g)\n", compared, worst,
                equal ? "EQUAL" : "DIFFERENT", rtol);
    return equal && compared > 0 ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "compare_checkpoints: %s\n", error.what());
    return 2;
  }
}
