#include "src/util/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace hierad::log {
namespace {

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::trace: return spdlog::level::trace;
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

void init(const Options& options) {
  const auto level = spdlog::level::from_str(options.level);
  // from_str maps unknown names to "off"; a typo must not silence the run.
  if (level == spdlog::level::off && options.level != "off") {
    throw std::invalid_argument("unknown log level '" + options.level +
                                "' (use trace, debug, info, warn, error or off)");
  }
  spdlog::drop("hierad");  // init may run again (tests)
  auto logger = spdlog::stderr_color_mt("hierad");
  std::string prefix = "[%Y-%m-%d %H:%M:%S.%e] ";
  if (options.world_size > 1) {
    prefix += "[rank " + std::to_string(options.rank) + "/" + std::to_string(options.world_size) + "] ";
  }
  logger->set_pattern(prefix + "[%^%l%$] %v");
  const bool quiet_rank = options.rank != 0 && !options.all_ranks;
  logger->set_level(quiet_rank ? std::max(level, spdlog::level::warn) : level);
  logger->flush_on(spdlog::level::info);  // progress lines must show up promptly under mpirun
  spdlog::set_default_logger(std::move(logger));
}

bool enabled(Level level) { return spdlog::default_logger_raw()->should_log(to_spdlog(level)); }

void write(Level level, const std::string& message) {
  spdlog::default_logger_raw()->log(to_spdlog(level), "{}", message);
}

}  // namespace hierad::log
