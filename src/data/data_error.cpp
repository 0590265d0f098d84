#include "src/data/data_error.hpp"

namespace hierad::data {

DataError::DataError(const std::filesystem::path& file, const std::string& problem)
    : std::runtime_error(file.string() + ": " + problem), file_(file), problem_(problem) {}

}  // namespace hierad::data
