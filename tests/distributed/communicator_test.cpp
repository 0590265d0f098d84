// The MPI backend's collectives against exactly predictable values (nccl-tests' idea): every rank
// fills its tensor from its rank, so the expected result is a closed formula.
#include "src/distributed/factory.hpp"
#include "src/distributed/mpi_communicator.hpp"
#include "src/distributed/mpi_session.hpp"
#include "src/distributed/mpi_util.hpp"

#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <chrono>
#include <thread>

namespace hierad::distributed {
namespace {

// Element i of rank r: (r + 1) * (i % 5 + 1), small enough to be exact in every dtype (uint8 too).
at::Tensor ramp(int rank, std::int64_t n, at::ScalarType dtype) {
  auto i = at::arange(n, at::kLong);
  return ((i.remainder(5) + 1) * (rank + 1)).to(dtype);
}

// The value tests run for both MPI flavours (nonblocking MPI_I*, blocking).
class MpiFlavour : public ::testing::TestWithParam<bool> {
 protected:
  MpiCommunicator comm{MPI_COMM_WORLD, MpiOptions{GetParam()}};
};

INSTANTIATE_TEST_SUITE_P(Dist, MpiFlavour, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "nonblocking" : "blocking"; });

TEST_P(MpiFlavour, AllreduceSumIsExactForEveryMappedDtype) {
  const int n = comm.size();
  for (auto dtype : {at::kFloat, at::kDouble, at::kInt, at::kLong, at::kByte}) {
    at::Tensor t = ramp(comm.rank(), 1001, dtype);
    comm.allreduce(t, ReduceOp::kSum)->wait();
    // sum over r of (r + 1) = n (n + 1) / 2
    const at::Tensor expected = ramp(0, 1001, at::kLong) * (n * (n + 1) / 2);
    EXPECT_TRUE(at::equal(t, expected.to(dtype))) << c10::toString(dtype);
  }
}

TEST_P(MpiFlavour, AllreduceMaxAndAvg) {
  const int n = comm.size();
  // Max: element i of rank r is (7 r + i) % 11; the expected value is computed by brute force.
  auto i = at::arange(100, at::kLong);
  at::Tensor t = (i + 7 * comm.rank()).remainder(11);
  at::Tensor expected = at::full({100}, -1, at::kLong);
  for (int r = 0; r < n; ++r) expected = at::maximum(expected, (i + 7 * r).remainder(11));
  comm.allreduce(t, ReduceOp::kMax)->wait();
  EXPECT_TRUE(at::equal(t, expected));

  // Avg of (r + 1) * x over ranks is x (n + 1) / 2.
  const at::Tensor x = at::linspace(-3.0, 5.0, 64, at::kDouble);
  at::Tensor a = x * (comm.rank() + 1);
  comm.allreduce(a, ReduceOp::kAvg)->wait();
  EXPECT_TRUE(at::allclose(a, x * ((n + 1) / 2.0), 1e-15, 0));
}

TEST_P(MpiFlavour, BroadcastFromEveryRoot) {
  for (int root = 0; root < comm.size(); ++root) {
    at::Tensor t = ramp(comm.rank(), 257, at::kFloat) + 0.5f;
    comm.broadcast(t, root)->wait();
    EXPECT_TRUE(at::equal(t, ramp(root, 257, at::kFloat) + 0.5f)) << "root " << root;
  }
}

TEST(MpiCommunicator, AllgatherInRankOrder) {
  MpiCommunicator comm;
  const auto doubles = comm.allgather(1.5 * comm.rank() + 0.25);
  // Values above 2^53 prove the int64 path does not go through double.
  const std::int64_t big = (std::int64_t{1} << 60) + 3;
  const auto ints = comm.allgather(static_cast<std::int64_t>(big + comm.rank()));
  ASSERT_EQ(doubles.size(), static_cast<std::size_t>(comm.size()));
  ASSERT_EQ(ints.size(), static_cast<std::size_t>(comm.size()));
  for (int r = 0; r < comm.size(); ++r) {
    EXPECT_EQ(doubles[static_cast<std::size_t>(r)], 1.5 * r + 0.25);
    EXPECT_EQ(ints[static_cast<std::size_t>(r)], big + r);
  }
}

TEST(MpiCommunicator, BarrierHoldsEveryRankUntilTheLastArrives) {
  MpiCommunicator comm;
  constexpr auto kDelay = std::chrono::milliseconds(300);
  comm.barrier();  // line up first, so the timing below measures only the delay
  const auto start = std::chrono::steady_clock::now();
  if (comm.rank() == 0) std::this_thread::sleep_for(kDelay);
  comm.barrier();
  const auto waited = std::chrono::steady_clock::now() - start;
  // Every rank leaves the barrier after rank 0's sleep (minus clock slack).
  EXPECT_GE(waited, kDelay - std::chrono::milliseconds(50));
}

TEST(MpiCommunicator, RanksAndLocalRanks) {
  MpiCommunicator comm;
  int world_rank = -1;
  int world_size = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
  EXPECT_EQ(comm.rank(), world_rank);
  EXPECT_EQ(comm.size(), world_size);
  EXPECT_EQ(comm.backend(), Backend::kMpi);
  // ctest starts every rank on this one machine.
  EXPECT_EQ(comm.local_rank(), comm.rank());
}

TEST_P(MpiFlavour, WorkCompletesByPollingAndWaitIsRepeatable) {
  at::Tensor t = at::ones({4096}, at::kDouble);
  auto work = comm.allreduce(t, ReduceOp::kSum);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!work->is_completed()) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "is_completed never became true";
  }
  work->wait();
  work->wait();
  EXPECT_TRUE(at::equal(t, at::full({4096}, comm.size(), at::kDouble)));
}

TEST_P(MpiFlavour, AvgIsAppliedExactlyOnceWhenPolledAndWaited) {
  at::Tensor t = at::full({8}, 6.0 * comm.size(), at::kDouble);
  auto work = comm.allreduce(t, ReduceOp::kAvg);
  while (!work->is_completed()) {
  }
  work->is_completed();
  work->wait();
  EXPECT_TRUE(at::equal(t, at::full({8}, 6.0 * comm.size(), at::kDouble)));
}

// Misuse is rejected before anything is sent, identically on every rank, so these do not desync.
TEST(MpiCommunicator, RejectsMisuseBeforeCommunicating) {
  MpiCommunicator comm;
  at::Tensor strided = at::zeros({4, 4}, at::kFloat).t();
  EXPECT_THROW(comm.allreduce(strided, ReduceOp::kSum), DistError);
  at::Tensor half = at::zeros({4}, at::kHalf);
  EXPECT_THROW(comm.allreduce(half, ReduceOp::kSum), DistError);
  at::Tensor ints = at::zeros({4}, at::kLong);
  EXPECT_THROW(comm.allreduce(ints, ReduceOp::kAvg), DistError);
  at::Tensor meta = at::empty({4}, at::TensorOptions().device(at::kMeta));
  EXPECT_THROW(comm.allreduce(meta, ReduceOp::kSum), DistError);
  at::Tensor undefined;
  EXPECT_THROW(comm.broadcast(undefined, 0), DistError);
  at::Tensor ok = at::zeros({4}, at::kFloat);
  EXPECT_THROW(comm.broadcast(ok, comm.size()), DistError);
  EXPECT_THROW(comm.broadcast(ok, -1), DistError);
  try {
    comm.allreduce(strided, ReduceOp::kSum);
  } catch (const DistError& e) {
    EXPECT_NE(std::string(e.what()).find("[rank " + std::to_string(comm.rank()) + "]"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("contiguous"), std::string::npos) << e.what();
  }
  // The communicator still works afterwards.
  comm.allreduce(ok, ReduceOp::kSum)->wait();
}

TEST(MpiSession, ASecondSessionDoesNotOwnMpi) {
  {
    MpiSession nested;  // MPI is already up (main's session): neither init nor finalize
    EXPECT_FALSE(nested.owns_mpi());
    EXPECT_GE(static_cast<int>(nested.provided()), static_cast<int>(ThreadLevel::kFunneled));
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    EXPECT_EQ(nested.world_size(), size);
  }
  int finalized = 1;
  MPI_Finalized(&finalized);
  EXPECT_EQ(finalized, 0);
  MpiCommunicator comm;  // still usable
  comm.barrier();
}

TEST(ErrorRelay, FailedMpiCallNamesPlaceRankAndLibraryMessage) {
  MPI_Comm comm = detail::duplicate_with_error_return(MPI_COMM_WORLD);
  int size = 0;
  MPI_Comm_size(comm, &size);
  int value = 0;
  std::string what;
  try {
    // An invalid root fails MPI's argument check locally, on every rank alike.
    HIERAD_MPI_CHECK(MPI_Bcast(&value, 1, MPI_INT, size + 3, comm));
  } catch (const DistError& e) {
    what = e.what();
  }
  MPI_Comm_free(&comm);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  EXPECT_NE(what.find("tests/distributed/communicator_test.cpp:"), std::string::npos) << what;
  EXPECT_NE(what.find("[rank " + std::to_string(rank) + "]"), std::string::npos) << what;
  EXPECT_NE(what.find("MPI_Bcast"), std::string::npos) << what;
  EXPECT_NE(what.find("MPI_ERR_ROOT"), std::string::npos) << what;  // MPI_Error_string's text
}

TEST(Factory, AutoPicksMpiOnTheCpuAndNcclNeedsCuda) {
  const at::Device cpu(at::kCPU);
  EXPECT_EQ(resolve_backend(Backend::kAuto, cpu), Backend::kMpi);
  EXPECT_EQ(resolve_backend(Backend::kAuto, at::Device(at::kCUDA, 0)),
            nccl_compiled_in() ? Backend::kNccl : Backend::kMpi);
  EXPECT_THROW(resolve_backend(Backend::kNccl, cpu), DistError);
  EXPECT_THROW(resolve_backend(Backend::kMpi, at::Device(at::kCUDA, 0)), DistError);
  try {
    resolve_backend(Backend::kNccl, cpu);
  } catch (const DistError& e) {
    // Either "needs a CUDA device" or "this build of hierad has none": both name the problem.
    const std::string what = e.what();
    EXPECT_TRUE(what.find("CUDA device") != std::string::npos ||
                what.find("has none") != std::string::npos)
        << what;
  }
  auto comm = make_communicator(Backend::kAuto, cpu);
  EXPECT_EQ(comm->backend(), Backend::kMpi);
  at::Tensor t = at::ones({3}, at::kFloat);
  comm->allreduce(t, ReduceOp::kSum)->wait();
  EXPECT_TRUE(at::equal(t, at::full({3}, static_cast<float>(comm->size()))));
}

// The host-side allreduce (the stop agreement's): nonblocking, completed by wait(), exact values.
TEST_P(MpiFlavour, HostAllreduceIsNonblockingAndExact) {
  at::Tensor flag = at::full({1}, comm.rank() == comm.size() - 1 ? 1 : 0, at::kInt);
  auto work = comm.allreduce_host(flag, ReduceOp::kMax);
  work->wait();
  EXPECT_EQ(flag.item<int>(), 1);
  at::Tensor sum = at::full({3}, comm.rank() + 1, at::kLong);
  comm.allreduce_host(sum, ReduceOp::kSum)->wait();
  EXPECT_EQ(sum[2].item<std::int64_t>(), static_cast<std::int64_t>(comm.size()) * (comm.size() + 1) / 2);
}

TEST(Factory, ParsesBackendNames) {
  EXPECT_EQ(parse_backend("auto"), Backend::kAuto);
  EXPECT_EQ(parse_backend("mpi"), Backend::kMpi);
  EXPECT_EQ(parse_backend("nccl"), Backend::kNccl);
  EXPECT_THROW(parse_backend("gloo"), std::invalid_argument);
}

// The real machine through select_device (the cases themselves: device_selection_test.cpp): on a
// machine without a GPU "auto" is the CPU on every rank and "cuda" fails on every rank, together.
TEST(Factory, SelectDeviceOnThisMachine) {
  EXPECT_FALSE(select_device("cpu").cuda);
  if (torch::cuda::device_count() == 0) {
    const DeviceChoice choice = select_device("auto");
    EXPECT_FALSE(choice.cuda);
    EXPECT_NE(choice.reason.find("auto"), std::string::npos) << choice.reason;
    try {
      select_device("cuda");
      FAIL() << "cuda on a machine without GPUs";
    } catch (const DistError& e) {
      EXPECT_NE(std::string(e.what()).find("[rank "), std::string::npos) << e.what();
    }
  } else {
    const DeviceChoice choice = select_device("auto");
    EXPECT_TRUE(choice.cuda);
  }
}

}  // namespace
}  // namespace hierad::distributed
