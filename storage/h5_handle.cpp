#include "storage/h5_handle.hpp"

#include <cstdio>

namespace hierad::storage {

void H5Id::reset() noexcept {
  if (id_ < 0) return;
  const hid_t id = release();
  if (H5Idec_ref(id) < 0) {
    // A destructor may run during unwinding: report, clear HDF5's stack, never throw.
    std::fprintf(stderr, "hierad storage: failed to release HDF5 id %lld\n", static_cast<long long>(id));
    H5Eclear2(H5E_DEFAULT);
  }
}

}  // namespace hierad::storage
