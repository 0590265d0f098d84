// Note [Flat parameters]
// Parameters and gradients as views of one contiguous buffer per dtype, so that the optimizer,
// the gradient norm, clipping and zeroing are a few kernels over whole buffers instead of a few
// per tensor (the default Glow has ~1,350 parameter tensors: ~20,000 launches a step otherwise),
// and the allreduce buckets are slices of the gradient buffer (no copies in or out).
//
// Layout: parameters are placed in reversed order, the order in which backward produces their
// gradients, and grouped into buckets exactly as assign_buckets() decides; bucket b of a dtype is
// the slice [offset(b), offset(b) + numel(b)) of that dtype's buffer. Each parameter's data is
// rebound to its slice (Tensor::set_data keeps the parameter's identity, autograd node and
// requires_grad), and its .grad() is set to the matching slice of the gradient buffer, which
// autograd then accumulates into in place (AccumulateGrad adds into a defined gradient).
//
// Rules that keep the views intact:
//  - build it after the model has moved to its device and dtype (Module::to replaces data);
//  - zero gradients with zero_grad() here, never with Module::zero_grad() (which drops them);
//    GradSync repairs a gradient that was replaced or dropped anyway (restore_gradient_view);
//  - after writing through the flat buffers, call bump_versions(): a parameter does not share its
//    version counter with the buffer, and caches keyed on versions (the 1x1 convs' derived
//    weights) must see the change.
#pragma once

#include "src/distributed/bucket_assignment.hpp"

#include <ATen/ATen.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hierad::distributed {

class FlatParameters {
 public:
  // One buffer of each dtype present. `params` must be leaves that require grad, all on one device
  // (std::invalid_argument otherwise). Copies their values into the buffers.
  FlatParameters(std::vector<at::Tensor> params, const BucketOptions& buckets = {});
  FlatParameters(const FlatParameters&) = delete;
  FlatParameters& operator=(const FlatParameters&) = delete;

  struct Group {
    at::ScalarType dtype = at::kFloat;
    at::Tensor data;  // [numel] the parameters' storage
    at::Tensor grad;  // [numel] their gradients
  };
  const std::vector<Group>& groups() const { return groups_; }

  // The parameters in the order given (their data and gradients are views into the groups).
  const std::vector<at::Tensor>& params() const { return params_; }
  std::size_t group_of(std::size_t param) const { return group_of_[param]; }
  std::int64_t offset_of(std::size_t param) const { return offset_of_[param]; }

  // Buckets in launch order, and the slice of the gradient buffer each one is.
  const std::vector<BucketLayout>& buckets() const { return buckets_; }
  const BucketOptions& bucket_options() const { return options_; }
  at::Tensor bucket_grad(std::size_t bucket) const;
  std::size_t bucket_of(std::size_t param) const { return bucket_of_[param]; }

  // A view of `buffer` (a group's data, grad or a same-layout state buffer) shaped as parameter i.
  at::Tensor view_of(const at::Tensor& buffer, std::size_t param) const;

  // One fill per group.
  void zero_grad();
  // Makes parameter i's .grad() the buffer view again if it was replaced (copied in) or dropped
  // (its slice zeroed). Returns whether it needed repair (never in normal use; a host-side check).
  bool restore_gradient_view(std::size_t param);
  // Bumps every parameter's version counter (host-side; see the rules above).
  void bump_versions();

 private:
  std::vector<at::Tensor> params_;
  BucketOptions options_;
  std::vector<Group> groups_;
  std::vector<BucketLayout> buckets_;
  std::vector<std::int64_t> bucket_offset_;  // bucket -> offset in its group's buffer
  std::vector<std::size_t> bucket_group_;    // bucket -> group
  std::vector<std::size_t> group_of_;
  std::vector<std::int64_t> offset_of_;
  std::vector<std::size_t> bucket_of_;
  std::vector<at::Tensor> grad_views_;  // parameter -> its gradient view (made once: no per-step ops)
};

}  // namespace hierad::distributed
