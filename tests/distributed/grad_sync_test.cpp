// GradSync against gradients computed without any communication: the data-parallel gradient of
// equal shards must equal the gradient of the concatenated batch in one process.
#include "src/distributed/broadcast.hpp"
#include "src/distributed/grad_sync.hpp"
#include "src/distributed/mpi_communicator.hpp"
#include "tests/distributed/recording_communicator.hpp"

#include <gtest/gtest.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/types.h>

namespace hierad::distributed {
namespace {

constexpr std::int64_t kGlobalBatch = 8;

// A small conv net. `extra` is registered last, so its gradient is produced first and it sits in
// the first bucket: the bucket every rank must launch first.
struct NetImpl : torch::nn::Module {
  explicit NetImpl(bool with_extra)
      : c1(torch::nn::Conv2dOptions(3, 6, 3).padding(1)),
        c2(torch::nn::Conv2dOptions(6, 4, 3).padding(1)),
        c3(torch::nn::Conv2dOptions(4, 2, 1)) {
    register_module("c1", c1);
    register_module("c2", c2);
    register_module("c3", c3);
    if (with_extra) extra = register_module("extra", torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 2, 1)));
  }
  torch::Tensor forward(const torch::Tensor& x, bool use_extra) {
    auto y = c3(torch::tanh(c2(torch::tanh(c1(x)))));
    if (use_extra) y = y + torch::tanh(extra(y));
    return y;
  }
  torch::nn::Conv2d c1, c2, c3, extra{nullptr};
};
TORCH_MODULE(Net);

Net make_net(at::ScalarType dtype, bool with_extra = false) {
  torch::manual_seed(42);  // identical initial parameters on every rank
  Net net(with_extra);
  net->to(dtype);
  return net;
}

torch::Tensor global_batch(at::ScalarType dtype) {
  torch::manual_seed(7);
  return torch::randn({kGlobalBatch, 3, 8, 8}, torch::TensorOptions().dtype(dtype));
}

torch::Tensor shard(const torch::Tensor& batch, int rank, int size) {
  const std::int64_t per_rank = kGlobalBatch / size;
  return batch.narrow(0, rank * per_rank, per_rank);
}

// Mean over the examples of a nonlinear per-example value, as a likelihood loss is.
torch::Tensor loss_of(Net& net, const torch::Tensor& x, bool use_extra = false) {
  auto y = net->forward(x, use_extra);
  return (y.pow(2) + y).sum({1, 2, 3}).mean();
}

std::vector<torch::Tensor> grads_of(Net& net) {
  std::vector<torch::Tensor> out;
  for (const auto& p : net->parameters()) {
    out.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
  }
  return out;
}

void expect_close(const std::vector<torch::Tensor>& got, const std::vector<torch::Tensor>& want,
                  double rel) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double scale = std::max(want[i].abs().max().item<double>(), 1e-30);
    const double err = (got[i] - want[i]).abs().max().item<double>();
    EXPECT_LE(err, rel * scale) << "parameter " << i << ": max error " << err << ", scale "
                                << scale;
  }
}

// The gradient of the whole batch, computed in this process without communication.
std::vector<torch::Tensor> full_batch_gradient(at::ScalarType dtype) {
  Net net = make_net(dtype);
  loss_of(net, global_batch(dtype)).backward();
  return grads_of(net);
}

// Tiny buckets, so that this small net spreads over several of them.
BucketOptions small_buckets() {
  BucketOptions options;
  options.first_bucket_mb = 0.0001;  // ~100 bytes
  options.bucket_mb = 0.001;         // ~1 KiB
  return options;
}

void check_bucketed_equals_full_batch(at::ScalarType dtype, double rel, bool nonblocking = true) {
  MpiCommunicator comm(MPI_COMM_WORLD, MpiOptions{nonblocking});
  Net net = make_net(dtype);
  FlatParameters flat(net->parameters(), small_buckets());
  GradSync sync(flat, comm);
  ASSERT_GE(sync.buckets().size(), 2u);
  loss_of(net, shard(global_batch(dtype), comm.rank(), comm.size())).backward();
  sync.finish();
  expect_close(grads_of(net), full_batch_gradient(dtype), rel);
  // Every parameter had a gradient, so every bucket went out from a hook, during backward.
  EXPECT_EQ(sync.last_step().buckets, static_cast<int>(sync.buckets().size()));
  EXPECT_EQ(sync.last_step().launched_in_backward, sync.last_step().buckets);
}

TEST(GradSync, BucketedOverlappedEqualsFullBatchGradientFloat64) {
  check_bucketed_equals_full_batch(at::kDouble, 1e-9);
}

TEST(GradSync, BucketedOverlappedEqualsFullBatchGradientFloat32) {
  check_bucketed_equals_full_batch(at::kFloat, 1e-5);
}

TEST(GradSync, BucketedWithBlockingMpiEqualsFullBatchGradient) {
  check_bucketed_equals_full_batch(at::kDouble, 1e-9, /*nonblocking=*/false);
}

TEST(GradSync, FlatAllreduceEqualsBucketed) {
  MpiCommunicator comm;
  const auto batch = shard(global_batch(at::kDouble), comm.rank(), comm.size());
  std::vector<torch::Tensor> bucketed;
  std::vector<torch::Tensor> flat;
  {
    Net net = make_net(at::kDouble);
    FlatParameters flat(net->parameters(), small_buckets());
    GradSync sync(flat, comm);
    loss_of(net, batch).backward();
    sync.finish();
    bucketed = grads_of(net);
  }
  {
    Net net = make_net(at::kDouble);
    BucketOptions options = small_buckets();
    options.flat = true;
    FlatParameters buffers(net->parameters(), options);
    GradSync sync(buffers, comm);
    ASSERT_EQ(sync.buckets().size(), 1u);
    loss_of(net, batch).backward();
    sync.finish();
    EXPECT_EQ(sync.last_step().buckets, 1);
    EXPECT_EQ(sync.last_step().launched_in_backward, 0);  // flat: nothing before finish()
    flat = grads_of(net);
  }
  // Same products and the same per-element sums, only grouped differently.
  expect_close(bucketed, flat, 1e-14);
}

TEST(GradSync, AccumulationCommunicatesOnlyOnTheLastMicroBatch) {
  MpiCommunicator mpi;
  testing::RecordingCommunicator comm(mpi);
  Net net = make_net(at::kDouble);
  FlatParameters flat(net->parameters(), small_buckets());
  GradSync sync(flat, comm);
  const auto local = shard(global_batch(at::kDouble), comm.rank(), comm.size());
  const std::int64_t half = local.size(0) / 2;
  ASSERT_GE(half, 1) << "needs at least 2 examples per rank";
  {
    NoSyncGuard no_sync(sync);
    (loss_of(net, local.narrow(0, 0, half)) * 0.5).backward();
  }
  EXPECT_TRUE(comm.allreduce_numels.empty()) << "communicated inside no_sync";
  EXPECT_TRUE(sync.sync_enabled());
  (loss_of(net, local.narrow(0, half, half)) * 0.5).backward();
  sync.finish();
  EXPECT_EQ(comm.allreduce_numels.size(), sync.buckets().size());
  // Bucket sizes in issue order equal the layout's: buckets go out in bucket order.
  for (std::size_t b = 0; b < sync.buckets().size(); ++b) {
    EXPECT_EQ(comm.allreduce_numels[b], sync.buckets()[b].numel);
  }
  expect_close(grads_of(net), full_batch_gradient(at::kDouble), 1e-9);
}

TEST(GradSync, ParametersWithoutGradientStillLaunchTheSameCollectives) {
  MpiCommunicator comm;
  const auto batch = global_batch(at::kDouble);
  // Only rank 0 uses `extra`; its bucket is the first one, so the other ranks can launch nothing
  // during backward and must fill it with zeros in finish().
  Net net = make_net(at::kDouble, /*with_extra=*/true);
  FlatParameters flat(net->parameters(), small_buckets());
  GradSync sync(flat, comm);
  loss_of(net, shard(batch, comm.rank(), comm.size()), comm.rank() == 0).backward();
  sync.finish();
  if (comm.rank() != 0) {
    EXPECT_EQ(sync.last_step().launched_in_backward, 0);
  }

  // Reference: every rank's local gradient, computed here one by one, averaged.
  std::vector<torch::Tensor> expected;
  for (int r = 0; r < comm.size(); ++r) {
    Net local = make_net(at::kDouble, true);
    loss_of(local, shard(batch, r, comm.size()), r == 0).backward();
    const auto g = grads_of(local);
    if (expected.empty()) {
      expected = g;
    } else {
      for (std::size_t i = 0; i < g.size(); ++i) expected[i] += g[i];
    }
  }
  for (auto& g : expected) g /= comm.size();
  for (const auto& p : net->parameters()) EXPECT_TRUE(p.grad().defined());
  expect_close(grads_of(net), expected, 1e-9);

  // Unused on every rank: the gradient ends defined and zero.
  net->zero_grad();
  loss_of(net, shard(batch, comm.rank(), comm.size()), false).backward();
  sync.finish();
  EXPECT_TRUE(at::equal(net->extra->weight.grad(), torch::zeros_like(net->extra->weight)));
}

TEST(GradSync, DestructorRemovesItsHooks) {
  MpiCommunicator mpi;
  testing::RecordingCommunicator comm(mpi);
  Net net = make_net(at::kDouble);
  FlatParameters flat(net->parameters(), small_buckets());
  { GradSync sync(flat, comm); }
  const auto local = shard(global_batch(at::kDouble), comm.rank(), comm.size());
  loss_of(net, local).backward();
  EXPECT_TRUE(comm.allreduce_numels.empty());
  Net reference = make_net(at::kDouble);
  loss_of(reference, local).backward();
  expect_close(grads_of(net), grads_of(reference), 0.0);  // untouched local gradients
}

TEST(BroadcastTensors, ParametersAndStridedTensorsTakeTheRootsValues) {
  MpiCommunicator comm;
  for (int root : {0, comm.size() - 1}) {
    Net net = make_net(at::kDouble);
    auto params = net->parameters();
    {
      torch::NoGradGuard no_grad;
      for (auto& p : params) p.add_(comm.rank() - root);  // only the root keeps the initial values
    }
    auto base = torch::arange(16, torch::kDouble).reshape({4, 4}) * (comm.rank() + 1);
    auto strided = base.t();  // not contiguous: goes through a staging copy
    auto tensors = params;
    tensors.push_back(strided);
    broadcast_tensors(tensors, comm, root);
    const auto expected = make_net(at::kDouble)->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
      EXPECT_TRUE(torch::equal(params[i], expected[i])) << "root " << root << " parameter " << i;
    }
    EXPECT_TRUE(torch::equal(base, torch::arange(16, torch::kDouble).reshape({4, 4}) * (root + 1)));
  }
}

TEST(GradSync, MisuseIsReported) {
  MpiCommunicator comm;
  Net net = make_net(at::kDouble);
  FlatParameters flat(net->parameters(), small_buckets());
  GradSync sync(flat, comm);
  const auto local = shard(global_batch(at::kDouble), comm.rank(), comm.size());

  loss_of(net, local).backward();
  EXPECT_THROW(sync.set_sync(false), std::logic_error);  // mid-step
  // A second synchronised backward before finish(): the first hook refuses (the error comes out
  // of backward()).
  EXPECT_ANY_THROW(loss_of(net, local).backward());
  sync.finish();  // still completes the step: every rank launched the same buckets

  sync.set_sync(false);
  EXPECT_THROW(sync.finish(), std::logic_error);
  sync.set_sync(true);

  auto frozen = torch::zeros({3}, torch::kDouble);  // requires_grad false
  EXPECT_THROW(FlatParameters({frozen}), std::invalid_argument);
}

}  // namespace
}  // namespace hierad::distributed
