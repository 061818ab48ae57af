#pragma once

#include <stdexcept>
#include <string>

namespace evostream::common {

/// Raised when a dataset file is missing, truncated or malformed.
///
/// The message names the file, what was expected and what was found, e.g.
/// `train-images-idx3-ubyte.gz: expected magic number 2051 (images), found 2049`.
class DataError : public std::runtime_error {
 public:
  DataError(const std::string& file, const std::string& what)
      : std::runtime_error(file + ": " + what), file_(file) {}

  /// The file the error is about.
  const std::string& file() const noexcept { return file_; }

 private:
  std::string file_;
};

}  // namespace evostream::common
