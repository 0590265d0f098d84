#include "src/train/stop_agreement.hpp"

#include <cstdio>
#include <exception>

namespace hierad::train {

StopAgreement::StopAgreement(distributed::Communicator& comm)
    : comm_(comm), flag_(at::zeros({1}, at::kInt)) {}

StopAgreement::~StopAgreement() {
  if (!in_flight_ || std::uncaught_exceptions() > 0) return;  // the error path must not wait
  try {
    in_flight_->wait();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "hierad: completing the stop agreement failed: %s\n", error.what());
  }
}

bool StopAgreement::stop_after_previous_step(bool local_stop) {
  if (in_flight_) {
    in_flight_->wait();
    in_flight_.reset();
    if (flag_.data_ptr<std::int32_t>()[0] != 0) return true;
  }
  flag_.data_ptr<std::int32_t>()[0] = local_stop ? 1 : 0;
  in_flight_ = comm_.allreduce_host(flag_, distributed::ReduceOp::kMax);
  return false;
}

void StopAgreement::drain() {
  if (!in_flight_) return;
  in_flight_->wait();
  in_flight_.reset();
}

}  // namespace hierad::train
