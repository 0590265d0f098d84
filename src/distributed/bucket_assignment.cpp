#include "src/distributed/bucket_assignment.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>

namespace hierad::distributed {

namespace {

double checked_bytes(double mb, const char* name) {
  if (!std::isfinite(mb) || mb <= 0.0) {
    throw std::invalid_argument(std::string("BucketOptions.") + name +
                                " must be a positive number of MiB, got " + std::to_string(mb));
  }
  return mb * 1024.0 * 1024.0;
}

}  // namespace

std::vector<BucketLayout> assign_buckets(const std::vector<TensorSpec>& params,
                                         const BucketOptions& options) {
  const double first_limit = checked_bytes(options.first_bucket_mb, "first_bucket_mb");
  const double limit = checked_bytes(options.bucket_mb, "bucket_mb");

  struct Open {
    std::size_t bucket;  // index into `buckets`
    double limit_bytes;
  };
  std::vector<BucketLayout> buckets;
  std::map<at::ScalarType, Open> open;       // the bucket each dtype is filling
  std::map<at::ScalarType, int> closed;      // buckets each dtype has closed so far

  for (std::size_t k = params.size(); k-- > 0;) {
    const TensorSpec& spec = params[k];
    if (spec.numel < 0) {
      throw std::invalid_argument("assign_buckets: parameter " + std::to_string(k) +
                                  " has a negative element count");
    }
    auto it = open.find(spec.dtype);
    if (it == open.end()) {
      const double bucket_limit = options.flat ? std::numeric_limits<double>::infinity()
                                               : (closed[spec.dtype] == 0 ? first_limit : limit);
      buckets.push_back(BucketLayout{spec.dtype, 0, {}});
      it = open.emplace(spec.dtype, Open{buckets.size() - 1, bucket_limit}).first;
    }
    BucketLayout& bucket = buckets[it->second.bucket];
    bucket.slots.push_back(BucketSlot{k, bucket.numel, spec.numel});
    bucket.numel += spec.numel;
    const double bytes =
        static_cast<double>(bucket.numel) * static_cast<double>(c10::elementSize(spec.dtype));
    if (bytes >= it->second.limit_bytes) {
      ++closed[spec.dtype];
      open.erase(it);
    }
  }
  return buckets;
}

}  // namespace hierad::distributed
