// Note [Stopping]
// SIGTERM/SIGUSR1 (src/distributed/stop_signal.hpp) reach the ranks at different moments, yet every rank must stop
// after the same step. At the start of each step every rank posts its local flag in a nonblocking
// max-allreduce over MPI on the host (Communicator::allreduce_host: the GPU's queue is never
// waited for), and at the start of the next step it reads the result of the previous one. So a
// stop comes one step after the signal (two at most, for a rank that got it late), and all ranks
// agree on the step; the wait at the next step is short, because every rank posted a step ago.
#pragma once

#include "src/distributed/communicator.hpp"

#include <ATen/ATen.h>

#include <memory>

namespace hierad::train {

class StopAgreement {
 public:
  explicit StopAgreement(distributed::Communicator& comm);
  // Completes a posted request (never leaves one in flight).
  ~StopAgreement();
  StopAgreement(const StopAgreement&) = delete;
  StopAgreement& operator=(const StopAgreement&) = delete;

  // At the start of a step: true when the flags posted at the previous call said that some rank
  // wants to stop (then nothing new is posted); otherwise posts this rank's current flag and
  // returns false. Collective: every rank calls it once per step.
  bool stop_after_previous_step(bool local_stop);

  // Waits for the request in flight, if any, ignoring its value (at the end of training).
  void drain();

 private:
  distributed::Communicator& comm_;
  at::Tensor flag_;  // int32 [1] on the host
  std::unique_ptr<distributed::Work> in_flight_;
};

}  // namespace hierad::train
