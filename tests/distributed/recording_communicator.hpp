// Test double: forwards to a real communicator and records what was issued, so tests can prove
// when communication happened (or did not).
#pragma once

#include "src/distributed/communicator.hpp"

#include <vector>

namespace hierad::distributed::testing {

class RecordingCommunicator final : public Communicator {
 public:
  explicit RecordingCommunicator(Communicator& inner) : inner_(inner) {}

  std::vector<std::int64_t> allreduce_numels;  // one entry per allreduce, in issue order

  Backend backend() const override { return inner_.backend(); }
  int rank() const override { return inner_.rank(); }
  int size() const override { return inner_.size(); }
  int local_rank() const override { return inner_.local_rank(); }
  std::unique_ptr<Work> allreduce(at::Tensor& tensor, ReduceOp op) override {
    allreduce_numels.push_back(tensor.numel());
    return inner_.allreduce(tensor, op);
  }
  std::unique_ptr<Work> broadcast(at::Tensor& tensor, int root) override {
    return inner_.broadcast(tensor, root);
  }
  void barrier() override { inner_.barrier(); }
  std::vector<double> allgather(double value) override { return inner_.allgather(value); }
  std::vector<std::int64_t> allgather(std::int64_t value) override {
    return inner_.allgather(value);
  }
  std::unique_ptr<Work> allreduce_host(at::Tensor& tensor, ReduceOp op) override {
    ++host_allreduces;
    return inner_.allreduce_host(tensor, op);
  }
  std::unique_ptr<IntervalTimer> interval_timer() override { return inner_.interval_timer(); }
  void abort() noexcept override { inner_.abort(); }

  int host_allreduces = 0;

 private:
  Communicator& inner_;
};

}  // namespace hierad::distributed::testing
