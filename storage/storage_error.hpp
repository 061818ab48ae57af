#pragma once

#include <stdexcept>
#include <string>

namespace evostream::storage {

/// Raised when a file of the project's cannot be written or read: the message names the file,
/// the object inside it, what was expected and what was found.
class StorageError : public std::runtime_error {
 public:
  StorageError(const std::string& file, const std::string& what)
      : std::runtime_error(file + ": " + what), file_(file) {}

  const std::string& file() const noexcept { return file_; }

 private:
  std::string file_;
};

}  // namespace evostream::storage
