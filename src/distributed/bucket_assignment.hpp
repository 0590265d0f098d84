// Which gradients share a flat bucket, decided once from the parameters' sizes (c10d's
// compute_bucket_assignment_by_size, cut down). Pure arithmetic, so it is tested on its own.
#pragma once

#include <ATen/ATen.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hierad::distributed {

struct BucketOptions {
  // Sizes are MiB ("MB" as in c10d/DDP). A bucket is closed as soon as it holds at least its limit,
  // so a bucket exceeds it by less than one parameter, and a parameter larger than the limit gets
  // a bucket of its own.
  double first_bucket_mb = 1.0;  // small, so the first allreduce starts early in backward
  double bucket_mb = 25.0;       // every later bucket
  // One bucket per dtype holding every gradient, reduced in finish() after backward, with no
  // hooks: the reference that the bucketed, overlapped path must equal.
  bool flat = false;
};

struct TensorSpec {
  std::int64_t numel = 0;
  at::ScalarType dtype = at::kFloat;
};

// A parameter's place in a bucket: elements [offset, offset + numel) of the flat bucket tensor.
struct BucketSlot {
  std::size_t param = 0;  // index into the parameter list
  std::int64_t offset = 0;
  std::int64_t numel = 0;
};

struct BucketLayout {
  at::ScalarType dtype = at::kFloat;
  std::int64_t numel = 0;
  std::vector<BucketSlot> slots;  // in fill order: decreasing parameter index
};

// Buckets in launch order. Parameters are taken in reversed order (autograd produces the last
// layers' gradients first), each dtype filling its own open bucket; the first bucket of each dtype
// closes at first_bucket_mb, the others at bucket_mb. Throws std::invalid_argument for a size that
// is not a positive finite number.
std::vector<BucketLayout> assign_buckets(const std::vector<TensorSpec>& params,
                                         const BucketOptions& options);

}  // namespace hierad::distributed
