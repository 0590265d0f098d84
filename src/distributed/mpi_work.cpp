#include "src/distributed/mpi_work.hpp"

#include "src/distributed/mpi_util.hpp"

#include <ATen/core/grad_mode.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace hierad::distributed::detail {
namespace {

struct Orphans {
  std::mutex mutex;
  std::vector<std::pair<MPI_Request, at::Tensor>> items;
};

Orphans& orphans() {
  static auto* instance = new Orphans();  // never destroyed: MPI may still write into the buffers
  return *instance;
}

}  // namespace

MpiWork::MpiWork(MPI_Request request, at::Tensor tensor, int divisor, const char* what,
                 Watchdog& watchdog)
    : request_(request), tensor_(std::move(tensor)), divisor_(divisor), what_(what), watchdog_(watchdog) {}

MpiWork::~MpiWork() {
  if (done_) return;
  std::lock_guard<std::mutex> lock(orphans().mutex);
  orphans().items.emplace_back(request_, std::move(tensor_));
}

bool MpiWork::is_completed() {
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

void MpiWork::wait() {
  if (!done_) {
    int rc = MPI_SUCCESS;
    {
      Watchdog::BlockingScope blocked(watchdog_, what_);
      rc = MPI_Wait(&request_, MPI_STATUS_IGNORE);
    }
    if (rc != MPI_SUCCESS) {
      fail(rc, "MPI_Wait");
    } else {
      finish();
    }
  }
  if (error_) std::rethrow_exception(error_);
}

void MpiWork::finish() {
  if (divisor_ > 1) {
    at::NoGradGuard no_grad;  // the tensor may be a leaf that requires grad
    tensor_.div_(divisor_);
  }
  done_ = true;
}

void MpiWork::fail(int rc, const char* call) {
  try {
    throw_call_error(__FILE__, __LINE__, (std::string(call) + " (" + what_ + ")").c_str(),
                     mpi_error_string(rc));
  } catch (...) {
    error_ = std::current_exception();
  }
  done_ = true;
}

}  // namespace hierad::distributed::detail
