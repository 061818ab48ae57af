#include "config/class_folders.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/data_error.hpp"

namespace evostream::config {

namespace fs = std::filesystem;
using common::DataError;

std::vector<fs::directory_entry> directory_entries(const std::string& dir) {
  std::error_code ec;
  std::vector<fs::directory_entry> out;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    out.push_back(*it);
  if (ec)
    throw DataError(dir, "expected a readable directory, found " + ec.message());
  return out;
}

bool hidden_name(const fs::path& p) {
  return p.filename().string().rfind('.', 0) == 0;
}

std::vector<std::string> class_folders(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw DataError(dir, fmt::format("expected a directory with one folder of images per class, "
                                     "found {}",
                                     fs::exists(dir, ec) ? "a file" : "nothing"));
  }
  std::vector<std::string> out;
  for (const auto& e : directory_entries(dir)) {
    if (e.is_directory(ec) && !hidden_name(e.path()))
      out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  if (out.size() < 2) {
    throw DataError(dir, fmt::format("expected at least 2 class folders, found {}", out.size()));
  }
  return out;
}

}  // namespace evostream::config
