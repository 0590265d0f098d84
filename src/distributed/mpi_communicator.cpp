#include "src/distributed/mpi_communicator.hpp"

#include "src/distributed/mpi_util.hpp"

#include <ATen/core/grad_mode.h>

#include <exception>
#include <mutex>
#include <utility>

namespace hierad::distributed {

namespace {

// An MPI collective. The tensor is stashed here because MPI writes into its memory until the
// request completes (a blocking call passes MPI_REQUEST_NULL: already complete).
class MpiWork final : public Work {
 public:
  // divisor > 1: the result is divided by it once the sum has arrived (MPI has no average op;
  // dividing after completion keeps the "touch only after wait" rule).
  MpiWork(MPI_Request request, at::Tensor tensor, int divisor, const char* what)
      : request_(request), tensor_(std::move(tensor)), divisor_(divisor), what_(what) {}

  ~MpiWork() override;

  bool is_completed() override {
    if (!done_) {
      int flag = 0;
      const int rc = MPI_Test(&request_, &flag, MPI_STATUS_IGNORE);
      if (rc != MPI_SUCCESS) {
        fail(rc, "MPI_Test");
      } else if (flag) {
        finish();
      }
    }
    return done_;
  }

  void wait() override {
    if (!done_) {
      const int rc = MPI_Wait(&request_, MPI_STATUS_IGNORE);
      if (rc != MPI_SUCCESS) {
        fail(rc, "MPI_Wait");
      } else {
        finish();
      }
    }
    if (error_) std::rethrow_exception(error_);
  }

  void synchronize() override { wait(); }

 private:
  void finish() {
    if (divisor_ > 1) {
      at::NoGradGuard no_grad;  // the tensor may be a leaf that requires grad
      tensor_.div_(divisor_);
    }
    done_ = true;
  }

  void fail(int rc, const char* call) {
    try {
      detail::throw_call_error(__FILE__, __LINE__, (std::string(call) + " (" + what_ + ")").c_str(),
                               detail::mpi_error_string(rc));
    } catch (...) {
      error_ = std::current_exception();
    }
    done_ = true;
  }

  MPI_Request request_;
  at::Tensor tensor_;
  int divisor_;
  const char* what_;
  bool done_ = false;
  std::exception_ptr error_;
};

// Requests whose Work was destroyed before completion. Blocking in a destructor could hang an
// error path (the other ranks may never arrive), so the request and its buffer are kept alive
// instead, until the process ends.
struct Orphans {
  std::mutex mutex;
  std::vector<std::pair<MPI_Request, at::Tensor>> items;
};

Orphans& orphans() {
  static auto* instance = new Orphans();  // never destroyed: MPI may still write into the buffers
  return *instance;
}

MpiWork::~MpiWork() {
  if (done_) return;
  std::lock_guard<std::mutex> lock(orphans().mutex);
  orphans().items.emplace_back(request_, std::move(tensor_));
}

const at::Device kCpu(at::kCPU);

}  // namespace

MpiCommunicator::MpiCommunicator(MPI_Comm parent, MpiOptions options)
    : comm_(detail::duplicate_with_error_return(parent)), options_(options) {
  HIERAD_MPI_CHECK(MPI_Comm_rank(comm_, &rank_));
  HIERAD_MPI_CHECK(MPI_Comm_size(comm_, &size_));
  local_rank_ = detail::node_rank(comm_).local_rank;
}

MpiCommunicator::~MpiCommunicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

std::unique_ptr<Work> MpiCommunicator::allreduce(at::Tensor& tensor, ReduceOp op) {
  detail::check_collective_tensor(tensor, kCpu, "allreduce");
  detail::check_reduce_op(tensor, op);
  const MPI_Datatype type = detail::mpi_datatype(tensor.scalar_type(), "allreduce");
  const int count = detail::mpi_count(tensor, "allreduce");
  const MPI_Op mpi_op = op == ReduceOp::kMax ? MPI_MAX : MPI_SUM;
  // A blocking call leaves MPI_REQUEST_NULL, which MPI_Test/MPI_Wait report as complete at once;
  // the Work then only applies the average.
  MPI_Request request = MPI_REQUEST_NULL;
  if (options_.nonblocking) {
    HIERAD_MPI_CHECK(
        MPI_Iallreduce(MPI_IN_PLACE, tensor.data_ptr(), count, type, mpi_op, comm_, &request));
  } else {
    HIERAD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, tensor.data_ptr(), count, type, mpi_op, comm_));
  }
  return std::make_unique<MpiWork>(request, tensor, op == ReduceOp::kAvg ? size_ : 1,
                                   "allreduce");
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
    HIERAD_MPI_CHECK(MPI_Bcast(tensor.data_ptr(), count, type, root, comm_));
  }
  return std::make_unique<MpiWork>(request, tensor, 1, "broadcast");
}

void MpiCommunicator::barrier() { HIERAD_MPI_CHECK(MPI_Barrier(comm_)); }

std::vector<double> MpiCommunicator::allgather(double value) {
  std::vector<double> out(static_cast<std::size_t>(size_));
  HIERAD_MPI_CHECK(MPI_Allgather(&value, 1, MPI_DOUBLE, out.data(), 1, MPI_DOUBLE, comm_));
  return out;
}

std::vector<std::int64_t> MpiCommunicator::allgather(std::int64_t value) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(size_));
  HIERAD_MPI_CHECK(MPI_Allgather(&value, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, comm_));
  return out;
}

}  // namespace hierad::distributed
