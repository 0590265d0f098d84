#include "storage/h5_error.hpp"

#include <mutex>
#include <vector>

namespace hierad::storage {

H5Error::H5Error(const std::string& context, const std::string& stack)
    : std::runtime_error(stack.empty() ? context : context + ": " + stack),
      context_(context),
      stack_(stack) {}

void silence_hdf5_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

namespace {
// Also at start-up, so that even an HDF5 call made before any file is opened prints nothing.
const bool silenced_at_startup = (silence_hdf5_errors(), true);
}  // namespace

namespace {

std::string message_text(hid_t msg_id) {
  char buf[256] = {0};
  H5E_type_t type;
  if (H5Eget_msg(msg_id, &type, buf, sizeof buf) < 0) return "?";
  return buf;
}

herr_t collect_entry(unsigned /*n*/, const H5E_error2_t* err, void* client) {
  auto* lines = static_cast<std::vector<std::string>*>(client);
  try {
    std::string line = std::string(err->func_name ? err->func_name : "?") + "(): " +
                       (err->desc ? err->desc : "") + " [" + message_text(err->maj_num) + ": " +
                       message_text(err->min_num) + "]";
    lines->push_back(std::move(line));
  } catch (...) {
    return -1;  // exceptions must not cross HDF5's C frames
  }
  return 0;
}

}  // namespace

std::string take_hdf5_error_stack() {
  // Copying the stack also clears the live one, so later calls start clean.
  const hid_t copy = H5Eget_current_stack();
  if (copy < 0) return "";
  std::vector<std::string> lines;
  H5Ewalk2(copy, H5E_WALK_DOWNWARD, collect_entry, &lines);
  H5Eclose_stack(copy);
  std::string out;
  for (const std::string& line : lines) {
    if (!out.empty()) out += " <- ";
    out += line;
  }
  return out;
}

void throw_h5_error(const std::string& what) { throw H5Error(what, take_hdf5_error_stack()); }

H5Id check_id(hid_t id, const std::string& what) {
  if (id < 0) throw_h5_error(what);
  return H5Id(id);
}

void check(herr_t status, const std::string& what) {
  if (status < 0) throw_h5_error(what);
}

bool check_tri(htri_t value, const std::string& what) {
  if (value < 0) throw_h5_error(what);
  return value > 0;
}

}  // namespace hierad::storage
