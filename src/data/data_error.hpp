// The one exception type of the data layer.
//
// Every reader problem (a missing file, a size that is not a whole number of records, a wrong
// magic number, a .mat without the expected variables, a bad exclusion list, an undecodable
// image) becomes a DataError that names the file and the problem, so a run started from a TOML
// file fails with one line that says what to fix.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace hierad::data {

class DataError : public std::runtime_error {
 public:
  // what() reads "<file>: <problem>".
  DataError(const std::filesystem::path& file, const std::string& problem);

  const std::filesystem::path& file() const noexcept { return file_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::filesystem::path file_;
  std::string problem_;
};

}  // namespace hierad::data
