#include "src/distributed/errors.hpp"

#include <mpi.h>

#include <atomic>
#include <cstring>
#include <sstream>

namespace hierad::distributed::detail {

namespace {
std::atomic<int> g_world_rank{-1};
}  // namespace

void remember_world_rank(int rank) { g_world_rank.store(rank); }

std::string rank_label() {
  // The cache keeps MPI calls off autograd's device threads (MPI_THREAD_FUNNELED).
  const int cached = g_world_rank.load();
  if (cached >= 0) return "[rank " + std::to_string(cached) + "]";
  int initialized = 0;
  int finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (!initialized || finalized) return "[rank ?]";
  int rank = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return "[rank " + std::to_string(rank) + "]";
}

namespace {

const char* last_match(const char* text, const char* needle) {
  const char* found = nullptr;
  for (const char* p = std::strstr(text, needle); p != nullptr; p = std::strstr(p + 1, needle)) {
    found = p;
  }
  return found;
}

const char* repo_relative(const char* file) {
  // __FILE__ is absolute under CMake; "src/distributed/x.cpp" is what a reader can open.
  const char* src = last_match(file, "/src/");
  const char* tests = last_match(file, "/tests/");
  const char* found = src > tests ? src : tests;  // the later one (nullptr compares lowest)
  return found != nullptr ? found + 1 : file;
}

}  // namespace

void throw_call_error(const char* file, int line, const char* call, const std::string& message) {
  std::ostringstream out;
  out << repo_relative(file) << ':' << line << ": " << rank_label() << ' ' << call
      << " failed: " << message;
  throw DistError(out.str());
}

void check_collective_tensor(const at::Tensor& tensor, const at::Device& device, const char* what) {
  if (!tensor.defined()) {
    throw DistError(std::string(what) + ": " + rank_label() + " the tensor is undefined");
  }
  if (tensor.device() != device) {
    throw DistError(std::string(what) + ": " + rank_label() + " the tensor is on " +
                    tensor.device().str() + " but the communicator works on " + device.str());
  }
  if (!tensor.is_contiguous()) {
    throw DistError(std::string(what) + ": " + rank_label() +
                    " the tensor must be contiguous (collectives work in place on its memory)");
  }
}

void check_reduce_op(const at::Tensor& tensor, ReduceOp op) {
  if (op == ReduceOp::kAvg && !at::isFloatingType(tensor.scalar_type())) {
    throw DistError(std::string("allreduce: ") + rank_label() + " ReduceOp avg needs a floating "
                    "tensor, got " + std::string(c10::toString(tensor.scalar_type())));
  }
}

}  // namespace hierad::distributed::detail

namespace hierad::distributed {

const char* to_string(Backend backend) {
  switch (backend) {
    case Backend::kAuto: return "auto";
    case Backend::kMpi: return "mpi";
    case Backend::kNccl: return "nccl";
  }
  return "?";
}

const char* to_string(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum: return "sum";
    case ReduceOp::kAvg: return "avg";
    case ReduceOp::kMax: return "max";
  }
  return "?";
}

}  // namespace hierad::distributed
