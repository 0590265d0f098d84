// NCCL backend (c10d's ProcessGroupNCCL reduced to one device per process, nccl-tests' bootstrap).
//
// Note [NCCL streams and lifetimes]
// Every collective runs on the communicator's own stream. Before it is enqueued, an event recorded
// on the caller's current CUDA stream makes the NCCL stream wait, so the collective sees every
// kernel the caller queued before (for GradSync: the copy of gradients into the bucket). After it,
// an end event is recorded on the NCCL stream; Work::wait() makes the caller's current stream wait
// for that event, which orders later kernels after the result without blocking the host. The
// tensor's memory must not be recycled while the NCCL stream still uses it: the Work stashes the
// tensor, and recordStream tells LibTorch's caching allocator that the NCCL stream uses the block,
// so even a tensor freed right after the call is not handed out again before the collective ends.
// A watchdog thread (Note [Collective watchdog]) polls every collective's end event; one that has
// not finished within the collective timeout aborts the communicator (ncclCommAbort makes its
// kernels return) and ends the process, so that a dead or hung peer cannot hang the job. On the
// error path (an exception unwinding through the destructor, or abort()) the communicator is
// aborted, never destroyed: ncclCommDestroy and a stream synchronisation would wait for peers.
#ifndef HIERAD_WITH_NCCL
#error "nccl_communicator.cpp is compiled only when HIERAD_WITH_NCCL is on"
#endif

#include "src/distributed/nccl_communicator.hpp"

#include "src/distributed/abort.hpp"
#include "src/distributed/mpi_util.hpp"
#include "src/distributed/mpi_work.hpp"
#include "src/distributed/watchdog.hpp"

#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime.h>
#include <nccl.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <vector>
#include <utility>

#define HIERAD_CUDA_CHECK(call)                                                          \
  do {                                                                                  \
    const cudaError_t hierad_cuda_rc_ = (call);                                         \
    if (hierad_cuda_rc_ != cudaSuccess) {                                               \
      ::hierad::distributed::detail::throw_call_error(__FILE__, __LINE__, #call,               \
                                               cudaGetErrorString(hierad_cuda_rc_));    \
    }                                                                                   \
  } while (0)

// `comm` may be nullptr (before the communicator exists); ncclGetLastError then reports the last
// error of any communicator in the process.
#define HIERAD_NCCL_CHECK(call, comm)                                                    \
  do {                                                                                  \
    const ncclResult_t hierad_nccl_rc_ = (call);                                        \
    if (hierad_nccl_rc_ != ncclSuccess) {                                               \
      ::hierad::distributed::detail::throw_call_error(                                         \
          __FILE__, __LINE__, #call, ::hierad::distributed::detail::nccl_message(hierad_nccl_rc_, comm)); \
    }                                                                                   \
  } while (0)

namespace hierad::distributed::detail {

namespace {

std::string nccl_message(ncclResult_t result, ncclComm_t comm) {
  std::string message = ncclGetErrorString(result);
  const char* last = ncclGetLastError(comm);
  if (last != nullptr && last[0] != '\0') message += std::string(" (") + last + ")";
  return message;
}

ncclDataType_t nccl_datatype(at::ScalarType type, const char* what) {
  switch (type) {
    case at::kFloat: return ncclFloat32;
    case at::kDouble: return ncclFloat64;
    case at::kHalf: return ncclFloat16;
    case at::kBFloat16: return ncclBfloat16;
    case at::kInt: return ncclInt32;
    case at::kLong: return ncclInt64;
    case at::kByte: return ncclUint8;
    default:
      throw DistError(std::string(what) + ": " + rank_label() + " the NCCL backend has no mapping "
                      "for dtype " + std::string(c10::toString(type)));
  }
}

ncclRedOp_t nccl_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum: return ncclSum;
    case ReduceOp::kAvg: return ncclAvg;
    case ReduceOp::kMax: return ncclMax;
  }
  return ncclSum;
}

// Owns the ncclComm_t. Shared with every Work so that a Work can still ask for asynchronous
// errors after the communicator is gone.
struct NcclComm {
  ncclComm_t comm = nullptr;
  std::once_flag aborted;

  NcclComm() = default;
  NcclComm(const NcclComm&) = delete;
  NcclComm& operator=(const NcclComm&) = delete;
  ~NcclComm() {
    if (comm == nullptr) return;
    ncclResult_t async = ncclSuccess;
    ncclCommGetAsyncError(comm, &async);
    // After an asynchronous error, or while an exception unwinds, the peers may be gone; destroy
    // would wait for them.
    if (async != ncclSuccess || std::uncaught_exceptions() > 0) {
      abort();
      return;
    }
    const ncclResult_t rc = ncclCommDestroy(comm);
    if (rc != ncclSuccess) {
      std::fprintf(stderr, "hierad: releasing the NCCL communicator failed: %s\n",
                   ncclGetErrorString(rc));
    }
  }

  // Idempotent and safe from the watchdog thread while the main thread still issues work: later
  // calls on an aborted communicator return errors, which is what the error path wants.
  void abort() noexcept {
    std::call_once(aborted, [this] {
      if (comm != nullptr && ncclCommAbort(comm) != ncclSuccess) {
        std::fprintf(stderr, "hierad: ncclCommAbort failed\n");
      }
    });
  }

  // Throws if NCCL reported an asynchronous error (a failed peer, a network error).
  void check_async(const char* file, int line) const {
    ncclResult_t async = ncclSuccess;
    const ncclResult_t rc = ncclCommGetAsyncError(comm, &async);
    if (rc != ncclSuccess) throw_call_error(file, line, "ncclCommGetAsyncError", nccl_message(rc, comm));
    if (async != ncclSuccess) {
      throw_call_error(file, line, "NCCL collective (asynchronous error)", nccl_message(async, comm));
    }
  }
};

class NcclWork final : public Work {
 public:
  NcclWork(std::shared_ptr<NcclComm> comm, at::Tensor tensor,
           std::shared_ptr<at::cuda::CUDAEvent> end, at::Device device)
      : comm_(std::move(comm)), tensor_(std::move(tensor)), end_(std::move(end)), device_(device) {}

  bool is_completed() override {
    comm_->check_async(__FILE__, __LINE__);
    return end_->query();
  }

  // Note [NCCL streams and lifetimes]: the caller's current stream waits; the host does not.
  void wait() override {
    comm_->check_async(__FILE__, __LINE__);
    c10::cuda::CUDAGuard guard(device_);
    end_->block(c10::cuda::getCurrentCUDAStream(device_.index()));
  }

  void synchronize() override {
    wait();
    end_->synchronize();
    comm_->check_async(__FILE__, __LINE__);
  }

 private:
  std::shared_ptr<NcclComm> comm_;
  at::Tensor tensor_;  // the stash
  std::shared_ptr<at::cuda::CUDAEvent> end_;  // shared with the watchdog's probe
  at::Device device_;
};

at::Device checked_cuda_device(const at::Device& device) {
  if (!device.is_cuda() || !device.has_index()) {
    throw DistError("NCCL backend: " + rank_label() + " needs a CUDA device with an index "
                    "(cuda:N), got " + device.str());
  }
  return device;
}

c10::cuda::CUDAStream pool_stream(const at::Device& device) {
  c10::cuda::CUDAGuard guard(device);
  return c10::cuda::getStreamFromPool(/*isHighPriority=*/true, device.index());
}

// Note [Timing on the compute stream]: events recorded on the caller's current stream at start()
// and stop() measure how long that stream was held up in between, e.g. waiting for the NCCL
// stream in GradSync::finish(), which a host clock cannot see (the host does not block).
class CudaIntervalTimer final : public IntervalTimer {
 public:
  explicit CudaIntervalTimer(at::Device device) : device_(device) {}

  void start() override {
    c10::cuda::CUDAGuard guard(device_);
    pairs_.emplace_back();
    pairs_.back().first = at::cuda::CUDAEvent(cudaEventDefault);  // timing on
    pairs_.back().first.record(c10::cuda::getCurrentCUDAStream(device_.index()));
  }
  void stop() override {
    if (pairs_.empty()) return;
    c10::cuda::CUDAGuard guard(device_);
    pairs_.back().second = at::cuda::CUDAEvent(cudaEventDefault);
    pairs_.back().second.record(c10::cuda::getCurrentCUDAStream(device_.index()));
  }
  double take_seconds() override {
    double total = 0.0;
    for (auto& [begin, end] : pairs_) {
      if (!end.isCreated()) continue;
      end.synchronize();
      total += static_cast<double>(begin.elapsed_time(end)) / 1000.0;
    }
    pairs_.clear();
    return total;
  }

 private:
  at::Device device_;
  std::vector<std::pair<at::cuda::CUDAEvent, at::cuda::CUDAEvent>> pairs_;
};

// What rank 0 broadcasts: the id, or why it could not make one (so the other ranks fail with the
// same message instead of waiting in ncclCommInitRank for an id that never comes).
struct Bootstrap {
  int ok = 0;
  ncclUniqueId id{};
  char error[512] = {};
};

class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(MPI_Comm parent, const at::Device& device, double collective_timeout_s)
      : device_(checked_cuda_device(device)),
        mpi_comm_(duplicate_with_error_return(parent)),
        stream_(pool_stream(device_)),
        nccl_(std::make_shared<NcclComm>()),
        watchdog_(std::make_unique<Watchdog>(collective_timeout_s, [this](const std::string& message) {
          abort_process(message, *this);
        })) {
    try {
      HIERAD_MPI_CHECK(MPI_Comm_rank(mpi_comm_, &rank_));
      HIERAD_MPI_CHECK(MPI_Comm_size(mpi_comm_, &size_));
      local_rank_ = node_rank(mpi_comm_).local_rank;

      Bootstrap boot;
      if (rank_ == 0) {
        const ncclResult_t rc = ncclGetUniqueId(&boot.id);
        boot.ok = rc == ncclSuccess ? 1 : 0;
        if (!boot.ok) {
          std::snprintf(boot.error, sizeof boot.error, "%s", nccl_message(rc, nullptr).c_str());
        }
      }
      HIERAD_MPI_CHECK(MPI_Bcast(&boot, sizeof boot, MPI_BYTE, 0, mpi_comm_));
      if (!boot.ok) throw_call_error(__FILE__, __LINE__, "ncclGetUniqueId (on rank 0)", boot.error);

      c10::cuda::CUDAGuard guard(device_);
      HIERAD_NCCL_CHECK(ncclCommInitRank(&nccl_->comm, size_, boot.id, rank_), nullptr);
    } catch (...) {
      MPI_Comm_free(&mpi_comm_);
      throw;
    }
  }

  ~NcclCommunicator() override {
    watchdog_.reset();  // first: it may call abort() on this object
    if (std::uncaught_exceptions() > 0) {
      nccl_->abort();  // the error path: nothing here may wait for a peer
      return;
    }
    // Let issued collectives finish before the communicator goes (Works may still hold it).
    if (cudaStreamSynchronize(stream_.stream()) != cudaSuccess) {
      std::fprintf(stderr, "hierad: %s synchronising the NCCL stream failed at shutdown\n",
                   rank_label().c_str());
    }
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Comm_free(&mpi_comm_);
  }

  Backend backend() const override { return Backend::kNccl; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }

  std::unique_ptr<Work> allreduce(at::Tensor& tensor, ReduceOp op) override {
    check_collective_tensor(tensor, device_, "allreduce");
    check_reduce_op(tensor, op);
    const ncclDataType_t type = nccl_datatype(tensor.scalar_type(), "allreduce");
    return enqueue(tensor, [&](cudaStream_t stream) {
      HIERAD_NCCL_CHECK(ncclAllReduce(tensor.data_ptr(), tensor.data_ptr(),
                                      static_cast<std::size_t>(tensor.numel()), type, nccl_op(op),
                                      nccl_->comm, stream),
                        nccl_->comm);
    });
  }

  std::unique_ptr<Work> broadcast(at::Tensor& tensor, int root) override {
    check_collective_tensor(tensor, device_, "broadcast");
    if (root < 0 || root >= size_) {
      throw DistError("broadcast: " + rank_label() + " root " + std::to_string(root) +
                      " is not a rank of a communicator of size " + std::to_string(size_));
    }
    const ncclDataType_t type = nccl_datatype(tensor.scalar_type(), "broadcast");
    return enqueue(tensor, [&](cudaStream_t stream) {
      HIERAD_NCCL_CHECK(ncclBroadcast(tensor.data_ptr(), tensor.data_ptr(),
                                      static_cast<std::size_t>(tensor.numel()), type, root,
                                      nccl_->comm, stream),
                        nccl_->comm);
    });
  }

  // Host values go over MPI: they are tiny, the caller wants them on the host anyway, and the
  // ordering rule still holds because these calls block until every rank has made them.
  void barrier() override {
    {
      Watchdog::BlockingScope blocked(*watchdog_, "barrier (NCCL stream synchronisation)");
      HIERAD_CUDA_CHECK(cudaStreamSynchronize(stream_.stream()));
    }
    nccl_->check_async(__FILE__, __LINE__);
    Watchdog::BlockingScope blocked(*watchdog_, "MPI_Barrier");
    HIERAD_MPI_CHECK(MPI_Barrier(mpi_comm_));
  }

  std::vector<double> allgather(double value) override {
    std::vector<double> out(static_cast<std::size_t>(size_));
    Watchdog::BlockingScope blocked(*watchdog_, "MPI_Allgather");
    HIERAD_MPI_CHECK(MPI_Allgather(&value, 1, MPI_DOUBLE, out.data(), 1, MPI_DOUBLE, mpi_comm_));
    return out;
  }

  std::vector<std::int64_t> allgather(std::int64_t value) override {
    std::vector<std::int64_t> out(static_cast<std::size_t>(size_));
    Watchdog::BlockingScope blocked(*watchdog_, "MPI_Allgather");
    HIERAD_MPI_CHECK(
        MPI_Allgather(&value, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, mpi_comm_));
    return out;
  }

  std::unique_ptr<Work> allreduce_host(at::Tensor& tensor, ReduceOp op) override {
    check_collective_tensor(tensor, at::Device(at::kCPU), "allreduce_host");
    check_reduce_op(tensor, op);
    const MPI_Datatype type = mpi_datatype(tensor.scalar_type(), "allreduce_host");
    MPI_Request request = MPI_REQUEST_NULL;
    HIERAD_MPI_CHECK(MPI_Iallreduce(MPI_IN_PLACE, tensor.data_ptr(), mpi_count(tensor, "allreduce_host"),
                                    type, op == ReduceOp::kMax ? MPI_MAX : MPI_SUM, mpi_comm_, &request));
    return std::make_unique<MpiWork>(request, tensor, op == ReduceOp::kAvg ? size_ : 1, "allreduce_host",
                                     *watchdog_);
  }

  std::unique_ptr<IntervalTimer> interval_timer() override {
    return std::make_unique<CudaIntervalTimer>(device_);
  }

  void abort() noexcept override { nccl_->abort(); }

 private:
  // Note [NCCL streams and lifetimes].
  template <typename Launch>
  std::unique_ptr<Work> enqueue(at::Tensor& tensor, Launch&& launch) {
    c10::cuda::CUDAGuard guard(device_);
    at::cuda::CUDAEvent ready;
    ready.record(c10::cuda::getCurrentCUDAStream(device_.index()));
    ready.block(stream_);
    c10::cuda::CUDACachingAllocator::recordStream(tensor.storage().data_ptr(), stream_);
    launch(stream_.stream());
    auto end = std::make_shared<at::cuda::CUDAEvent>();
    end->record(stream_);
    const at::Device device = device_;
    watchdog_->watch("NCCL collective", [end, device] {
      c10::cuda::CUDAGuard guard(device);
      return end->query();
    });
    return std::make_unique<NcclWork>(nccl_, tensor, std::move(end), device_);
  }

  at::Device device_;
  MPI_Comm mpi_comm_ = MPI_COMM_NULL;
  c10::cuda::CUDAStream stream_;
  std::shared_ptr<NcclComm> nccl_;
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  std::unique_ptr<Watchdog> watchdog_;
};

}  // namespace

std::unique_ptr<Communicator> make_nccl_communicator(MPI_Comm parent, const at::Device& device,
                                                     double collective_timeout_s) {
  return std::make_unique<NcclCommunicator>(parent, device, collective_timeout_s);
}

}  // namespace hierad::distributed::detail
