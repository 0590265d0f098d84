// Exclusion lists in the format of 80mn_cifar_idxs.txt: one 1-based image index per line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace hierad::data {

// Reads the list and returns the excluded images as sorted, unique, 0-based indices.
// Blank lines (and surrounding spaces) are ignored. Throws DataError naming the file and line for
// anything that is not a positive integer, and for an index outside 1..image_count.
std::vector<std::int64_t> read_exclusion_list(const std::filesystem::path& path, std::int64_t image_count);

}  // namespace hierad::data
