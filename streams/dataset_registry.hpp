#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "streams/dataset.hpp"

namespace evostream::streams {

/// Loads datasets from their specs, once each, and keeps them for every task that uses them.
class DatasetRegistry {
 public:
  /// The dataset of `spec`, loaded on first use; raises `DataError` if its files are bad.
  std::shared_ptr<const Dataset> get(const config::DatasetSpec& spec);

  /// Loads the dataset of `spec` without caching it.
  static Dataset load(const config::DatasetSpec& spec);

  /// The class names `load` gives the dataset of `spec`, without reading its files: the
  /// table's `class_names`, Fashion-MNIST's names, or "class 0", "class 1", ...
  static std::vector<std::string> class_names(const config::DatasetSpec& spec);

 private:
  std::map<std::string, std::shared_ptr<const Dataset>> loaded_;
};

}  // namespace evostream::streams
