#include "src/util/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <stdexcept>

namespace hierad::log {

void init(const Options& options) {
  const auto level = spdlog::level::from_str(options.level);
  // from_str maps unknown names to "off"; a typo must not silence the run.
  if (level == spdlog::level::off && options.level != "off") {
    throw std::invalid_argument("unknown log level '" + options.level +
                                "' (use trace, debug, info, warn, error or off)");
  }
  spdlog::drop("hierad");  // init may run again (tests, a CLI re-parse)
  auto logger = spdlog::stderr_color_mt("hierad");
  std::string pattern = "[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] ";
  if (options.world_size > 1) {
    pattern = "[%Y-%m-%d %H:%M:%S.%e] [rank " + std::to_string(options.rank) + "/" +
              std::to_string(options.world_size) + "] [%^%l%$] ";
  }
  logger->set_pattern(pattern + "%v");
  const bool quiet_rank = options.rank != 0 && !options.all_ranks;
  logger->set_level(quiet_rank ? std::max(level, spdlog::level::warn) : level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace hierad::log
