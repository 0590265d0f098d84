#include "src/distributed/mpi_communicator.hpp"

#include "src/distributed/abort.hpp"
#include "src/distributed/mpi_util.hpp"
#include "src/distributed/mpi_work.hpp"

#include <ATen/core/grad_mode.h>

#include <chrono>
#include <exception>
#include <utility>

namespace hierad::distributed {

namespace {

const at::Device kCpu(at::kCPU);

// MPI blocks the host for as long as the communication lasts, so the host clock is the right one.
class HostIntervalTimer final : public IntervalTimer {
 public:
  void start() override { started_ = std::chrono::steady_clock::now(); }
  void stop() override {
    total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }
  double take_seconds() override { return std::exchange(total_, 0.0); }

 private:
  std::chrono::steady_clock::time_point started_;
  double total_ = 0.0;
};

}  // namespace

MpiCommunicator::MpiCommunicator(MPI_Comm parent, MpiOptions options)
    : comm_(detail::duplicate_with_error_return(parent)),
      options_(options),
      watchdog_(options.collective_timeout_s, [this](const std::string& message) {
        abort_process(message, *this);
      }) {
  HIERAD_MPI_CHECK(MPI_Comm_rank(comm_, &rank_));
  HIERAD_MPI_CHECK(MPI_Comm_size(comm_, &size_));
  local_rank_ = detail::node_rank(comm_).local_rank;
}

MpiCommunicator::~MpiCommunicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  // While an exception unwinds the job is about to be aborted: free nothing that might wait.
  if (!finalized && comm_ != MPI_COMM_NULL && std::uncaught_exceptions() == 0) MPI_Comm_free(&comm_);
}

std::unique_ptr<Work> MpiCommunicator::reduce(at::Tensor& tensor, ReduceOp op, bool nonblocking) {
  detail::check_collective_tensor(tensor, kCpu, "allreduce");
  detail::check_reduce_op(tensor, op);
  const MPI_Datatype type = detail::mpi_datatype(tensor.scalar_type(), "allreduce");
  const int count = detail::mpi_count(tensor, "allreduce");
  const MPI_Op mpi_op = op == ReduceOp::kMax ? MPI_MAX : MPI_SUM;
  // A blocking call leaves MPI_REQUEST_NULL, which MPI_Test/MPI_Wait report as complete at once;
  // the Work then only applies the average.
  MPI_Request request = MPI_REQUEST_NULL;
  if (nonblocking) {
    HIERAD_MPI_CHECK(
        MPI_Iallreduce(MPI_IN_PLACE, tensor.data_ptr(), count, type, mpi_op, comm_, &request));
  } else {
    Watchdog::BlockingScope blocked(watchdog_, "MPI_Allreduce");
    HIERAD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, tensor.data_ptr(), count, type, mpi_op, comm_));
  }
  return std::make_unique<detail::MpiWork>(request, tensor, op == ReduceOp::kAvg ? size_ : 1,
                                           "allreduce", watchdog_);
}

std::unique_ptr<Work> MpiCommunicator::allreduce(at::Tensor& tensor, ReduceOp op) {
  return reduce(tensor, op, options_.nonblocking);
}

std::unique_ptr<Work> MpiCommunicator::allreduce_host(at::Tensor& tensor, ReduceOp op) {
  return reduce(tensor, op, /*nonblocking=*/true);
}

std::unique_ptr<Work> MpiCommunicator::broadcast(at::Tensor& tensor, int root) {
  detail::check_collective_tensor(tensor, kCpu, "broadcast");
  if (root < 0 || root >= size_) {
    throw DistError("broadcast: " + detail::rank_label() + " root " + std::to_string(root) +
                    " is not a rank of a communicator of size " + std::to_string(size_));
  }
  const MPI_Datatype type = detail::mpi_datatype(tensor.scalar_type(), "broadcast");
  const int count = detail::mpi_count(tensor, "broadcast");
  MPI_Request request = MPI_REQUEST_NULL;
  if (options_.nonblocking) {
    HIERAD_MPI_CHECK(MPI_Ibcast(tensor.data_ptr(), count, type, root, comm_, &request));
  } else {
    Watchdog::BlockingScope blocked(watchdog_, "MPI_Bcast");
    HIERAD_MPI_CHECK(MPI_Bcast(tensor.data_ptr(), count, type, root, comm_));
  }
  return std::make_unique<detail::MpiWork>(request, tensor, 1, "broadcast", watchdog_);
}

void MpiCommunicator::barrier() {
  Watchdog::BlockingScope blocked(watchdog_, "MPI_Barrier");
  HIERAD_MPI_CHECK(MPI_Barrier(comm_));
}

std::vector<double> MpiCommunicator::allgather(double value) {
  std::vector<double> out(static_cast<std::size_t>(size_));
  Watchdog::BlockingScope blocked(watchdog_, "MPI_Allgather");
  HIERAD_MPI_CHECK(MPI_Allgather(&value, 1, MPI_DOUBLE, out.data(), 1, MPI_DOUBLE, comm_));
  return out;
}

std::vector<std::int64_t> MpiCommunicator::allgather(std::int64_t value) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(size_));
  Watchdog::BlockingScope blocked(watchdog_, "MPI_Allgather");
  HIERAD_MPI_CHECK(MPI_Allgather(&value, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, comm_));
  return out;
}

std::unique_ptr<IntervalTimer> MpiCommunicator::interval_timer() {
  return std::make_unique<HostIntervalTimer>();
}

}  // namespace hierad::distributed
