#include "src/distributed/broadcast.hpp"

#include <ATen/core/grad_mode.h>

#include <memory>

namespace hierad::distributed {

void broadcast_tensors(const std::vector<at::Tensor>& tensors, Communicator& comm, int root) {
  std::vector<at::Tensor> staging;
  std::vector<std::unique_ptr<Work>> works;
  staging.reserve(tensors.size());
  works.reserve(tensors.size());
  for (const at::Tensor& t : tensors) {
    at::Tensor buffer = t.is_contiguous() ? t : t.contiguous();
    staging.push_back(buffer);
    works.push_back(comm.broadcast(staging.back(), root));
  }
  at::NoGradGuard no_grad;  // parameters are leaves that require grad
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    works[i]->wait();
    if (!staging[i].is_same(tensors[i])) {
      at::Tensor target = tensors[i];
      target.copy_(staging[i]);
    }
  }
}

}  // namespace hierad::distributed
