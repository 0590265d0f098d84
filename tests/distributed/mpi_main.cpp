// main() of the multi-rank GoogleTest binary (run by ctest under mpirun -np 1 and -np 2).
//
// A failure on any rank must fail the whole run and must not leave the other ranks waiting in a
// collective that the failing rank will never enter. So a rank whose test failed prints the failed
// assertions with its rank and calls MPI_Abort, which makes mpirun kill every rank and exit
// non-zero. Only rank 0 keeps GoogleTest's normal printer, so passing runs print once.
#include "src/distributed/mpi_session.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>

namespace {

class AbortOnFailure : public testing::EmptyTestEventListener {
 public:
  explicit AbortOnFailure(int rank) : rank_(rank) {}

  void OnTestPartResult(const testing::TestPartResult& result) override {
    if (result.failed() && rank_ != 0) {  // rank 0's printer shows its own failures
      std::fprintf(stderr, "[rank %d] %s:%d: failure\n%s\n", rank_,
                   result.file_name() ? result.file_name() : "?", result.line_number(),
                   result.message());
    }
  }

  void OnTestEnd(const testing::TestInfo& info) override {
    if (!info.result()->Failed()) return;
    std::fprintf(stderr, "[rank %d] %s.%s FAILED: aborting all ranks\n", rank_,
                 info.test_suite_name(), info.name());
    std::fflush(stderr);
    std::fflush(stdout);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  hierad::distributed::MpiSession mpi(&argc, &argv);
  testing::InitGoogleTest(&argc, argv);
  auto& listeners = testing::UnitTest::GetInstance()->listeners();
  if (mpi.world_rank() != 0) delete listeners.Release(listeners.default_result_printer());
  listeners.Append(new AbortOnFailure(mpi.world_rank()));
  return RUN_ALL_TESTS();
}
