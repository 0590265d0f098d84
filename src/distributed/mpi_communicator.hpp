// The CPU backend: collectives on CPU tensors through MPI on a private duplicate of the parent
// communicator, so hierad's messages can never match another library's on the same ranks.
#pragma once

#include "src/distributed/communicator.hpp"
#include "src/distributed/watchdog.hpp"

#include <mpi.h>

namespace hierad::distributed {

struct MpiOptions {
  // false (default): MPI's blocking MPI_Allreduce / MPI_Bcast inside allreduce()/broadcast(), which
  // return a finished Work. true: MPI_Iallreduce / MPI_Ibcast, completed by Work::wait(), polled by
  // GradSync's hooks so they can progress while backward runs.
  // Why blocking by default: with MPI_THREAD_FUNNELED there is no progress thread, and on shared
  // memory the CPU copies the data itself, so the nonblocking path cannot really overlap; and Open
  // MPI 4.1 runs it through libnbc instead of its tuned algorithms: bench_dist measured MPI_I* 1.6-2.9x
  // slower than MPI_Allreduce for 16-64 MB on 2 ranks (the blocking wrapper: 0.9-1.05x the raw
  // call). Try `true` on a cluster whose network progresses transfers on its own, and measure.
  bool nonblocking = false;
  // Note [Collective watchdog]: a blocking wait longer than this ends the process; <= 0 = never.
  double collective_timeout_s = 0.0;
};

class MpiCommunicator final : public Communicator {
 public:
  // Collective over `parent`; needs MPI initialised (MpiSession).
  explicit MpiCommunicator(MPI_Comm parent = MPI_COMM_WORLD, MpiOptions options = {});
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  Backend backend() const override { return Backend::kMpi; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }

  std::unique_ptr<Work> allreduce(at::Tensor& tensor, ReduceOp op) override;
  std::unique_ptr<Work> broadcast(at::Tensor& tensor, int root) override;
  void barrier() override;
  std::vector<double> allgather(double value) override;
  std::vector<std::int64_t> allgather(std::int64_t value) override;
  std::unique_ptr<Work> allreduce_host(at::Tensor& tensor, ReduceOp op) override;
  std::unique_ptr<IntervalTimer> interval_timer() override;
  void abort() noexcept override {}

 private:
  std::unique_ptr<Work> reduce(at::Tensor& tensor, ReduceOp op, bool nonblocking);

  MPI_Comm comm_ = MPI_COMM_NULL;
  MpiOptions options_;
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  Watchdog watchdog_;
};

}  // namespace hierad::distributed
