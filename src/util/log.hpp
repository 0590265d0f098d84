// hierad's one logging facility (spdlog underneath), configured once per process.
//
//   HIERAD_LOG(info) << "step " << step << ", " << bpd << " bits/dim";
//
// Every rank logs through the same macro. Only rank 0 prints info-level lines by default, so an
// mpirun of 64 ranks does not print everything 64 times; warnings and errors always print, prefixed
// by the rank. `--log-all-ranks` lifts the filter. The message is only formatted when its level is
// enabled.
//
// spdlog stays behind this header on purpose: LibTorch bundles its own, newer {fmt}, which shadows
// the one Debian's spdlog was built against in any file that sees LibTorch's include path.
#pragma once

#include <sstream>
#include <string>

namespace hierad::log {

enum class Level { trace, debug, info, warn, error };

struct Options {
  int rank = 0;
  int world_size = 1;
  bool all_ranks = false;             // info/debug lines from every rank, not only rank 0
  std::string level = "info";         // trace, debug, info, warn, error or off
};

// Installs the logger: timestamps, level, and "[rank r/n]" when world_size > 1.
// Throws std::invalid_argument for an unknown level name.
void init(const Options& options);

bool enabled(Level level);
void write(Level level, const std::string& message);

// One log line, written when it goes out of scope.
class Line {
 public:
  explicit Line(Level level) : level_(level) {}
  ~Line() { write(level_, stream_.str()); }
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  template <class T>
  Line& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  Level level_;
  std::ostringstream stream_;
};

// Turns "Voidify() & line << ..." into a void expression, so HIERAD_LOG is one expression that is
// safe under an unbraced if/else (glog's LogMessageVoidify): & binds weaker than <<.
struct Voidify {
  void operator&(const Line&) const {}
};

}  // namespace hierad::log

#define HIERAD_LOG(level)                                      \
  !::hierad::log::enabled(::hierad::log::Level::level)         \
      ? (void)0                                                \
      : ::hierad::log::Voidify() & ::hierad::log::Line(::hierad::log::Level::level)
