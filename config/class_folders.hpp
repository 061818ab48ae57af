#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace evostream::config {

/// The class sub-folders of an image-folder dataset's `dir`, sorted by name, hidden ones
/// (names starting with '.') skipped.
///
/// A scenario counts an image-folder dataset's classes with it when it is read, and the reader
/// reads the same folders. Raises `common::DataError` naming `dir` when it is not a readable
/// directory or holds fewer than 2 class folders.
std::vector<std::string> class_folders(const std::string& dir);

/// The entries of `dir`, in the file system's order; raises `common::DataError` naming `dir`
/// when it cannot be listed.
std::vector<std::filesystem::directory_entry> directory_entries(const std::string& dir);

/// True for a hidden name (starting with '.'), which image folders skip.
bool hidden_name(const std::filesystem::path& p);

}  // namespace evostream::config
