// FlatParameters (Note [Flat parameters]): parameters and gradients become views of one buffer per
// dtype, in bucket order, without changing any value, and autograd accumulates into the views.
#include "src/distributed/flat_parameters.hpp"

#include <gtest/gtest.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/types.h>

namespace hierad::distributed {
namespace {

struct NetImpl : torch::nn::Module {
  NetImpl()
      : c1(torch::nn::Conv2dOptions(3, 6, 3).padding(1)), c2(torch::nn::Conv2dOptions(6, 2, 1)) {
    register_module("c1", c1);
    register_module("c2", c2);
  }
  torch::Tensor forward(const torch::Tensor& x) { return c2(torch::tanh(c1(x))); }
  torch::nn::Conv2d c1, c2;
};
TORCH_MODULE(Net);

BucketOptions tiny_buckets() {
  BucketOptions o;
  o.first_bucket_mb = 0.00001;  // ~10 bytes: the last conv's bias and weight
  o.bucket_mb = 0.0002;         // ~210 bytes
  return o;
}

TEST(FlatParameters, ViewsKeepTheValuesAndShareOneBuffer) {
  torch::manual_seed(1);
  Net net;
  std::vector<torch::Tensor> before;
  for (const auto& p : net->parameters()) before.push_back(p.detach().clone());
  FlatParameters flat(net->parameters(), tiny_buckets());
  ASSERT_EQ(flat.groups().size(), 1u);
  const auto& group = flat.groups().front();
  std::int64_t total = 0;
  const auto params = net->parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    EXPECT_TRUE(torch::equal(params[i], before[i])) << i;
    EXPECT_TRUE(params[i].requires_grad());
    EXPECT_TRUE(params[i].is_leaf());
    EXPECT_EQ(params[i].data_ptr<float>(), group.data.data_ptr<float>() + flat.offset_of(i));
    EXPECT_EQ(params[i].grad().data_ptr<float>(), group.grad.data_ptr<float>() + flat.offset_of(i));
    total += params[i].numel();
  }
  EXPECT_EQ(group.data.numel(), total);
  // Buckets tile the gradient buffer in launch order; the last parameter comes first.
  std::int64_t offset = 0;
  for (std::size_t b = 0; b < flat.buckets().size(); ++b) {
    EXPECT_EQ(flat.bucket_grad(b).data_ptr<float>(), group.grad.data_ptr<float>() + offset);
    offset += flat.buckets()[b].numel;
  }
  EXPECT_EQ(offset, total);
  EXPECT_GE(flat.buckets().size(), 2u);
  EXPECT_EQ(flat.offset_of(params.size() - 1), 0);
}

TEST(FlatParameters, BackwardAccumulatesIntoTheBufferAndZeroGradClearsIt) {
  const auto x = torch::randn({4, 3, 5, 5});
  torch::manual_seed(2);
  Net reference;
  torch::manual_seed(2);
  Net net;
  ASSERT_TRUE(torch::equal(reference->c1->weight, net->c1->weight));
  FlatParameters flat(net->parameters(), tiny_buckets());
  for (int pass = 0; pass < 2; ++pass) {  // accumulation over two backward passes
    reference->forward(x).square().sum().backward();
    net->forward(x).square().sum().backward();
  }
  const auto want = reference->parameters(), got = net->parameters();
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_TRUE(torch::equal(got[i].grad(), want[i].grad())) << i;
    EXPECT_EQ(got[i].grad().data_ptr<float>(), flat.groups()[0].grad.data_ptr<float>() + flat.offset_of(i));
  }
  flat.zero_grad();
  EXPECT_EQ(flat.groups()[0].grad.abs().sum().item<float>(), 0.0f);
  for (const auto& p : got) EXPECT_EQ(p.grad().abs().sum().item<float>(), 0.0f);
}

TEST(FlatParameters, WritesThroughTheBufferReachTheParametersAndBumpTheirVersions) {
  Net net;
  FlatParameters flat(net->parameters(), tiny_buckets());
  const auto w = net->c1->weight;
  const auto version = w._version();
  {
    torch::NoGradGuard no_grad;
    flat.groups()[0].data.fill_(0.5f);
  }
  EXPECT_EQ(w.min().item<float>(), 0.5f);
  EXPECT_EQ(w._version(), version);  // a parameter's version does not see writes to the buffer
  flat.bump_versions();
  EXPECT_GT(w._version(), version);
}

TEST(FlatParameters, ADroppedOrReplacedGradientIsPutBack) {
  Net net;
  FlatParameters flat(net->parameters(), tiny_buckets());
  net->zero_grad();  // Module::zero_grad sets them to none
  EXPECT_FALSE(net->c1->weight.grad().defined());
  EXPECT_TRUE(flat.restore_gradient_view(0));
  EXPECT_EQ(net->parameters()[0].grad().data_ptr<float>(),
            flat.groups()[0].grad.data_ptr<float>() + flat.offset_of(0));
  auto params = net->parameters();
  params[1].mutable_grad() = torch::full_like(params[1], 3.0f);  // replaced by another tensor
  EXPECT_TRUE(flat.restore_gradient_view(1));
  EXPECT_EQ(flat.view_of(flat.groups()[0].grad, 1).min().item<float>(), 3.0f);
  EXPECT_FALSE(flat.restore_gradient_view(1));  // now it is the view
}

TEST(FlatParameters, RejectsFrozenParameters) {
  EXPECT_THROW(FlatParameters({torch::zeros({3})}), std::invalid_argument);
}

}  // namespace
}  // namespace hierad::distributed
