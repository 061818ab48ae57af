#pragma once

#include <map>
#include <memory>
#include <string>

#include "streams/dataset.hpp"
#include "streams/scenario.hpp"

namespace evostream::streams {

/// Loads datasets from their specs, once each, and keeps them for every task that uses them.
class DatasetRegistry {
 public:
  /// The dataset of `spec`, loaded on first use; raises `DataError` if its files are bad.
  std::shared_ptr<const Dataset> get(const DatasetSpec& spec);

  /// Loads the dataset of `spec` without caching it.
  static Dataset load(const DatasetSpec& spec);

 private:
  std::map<std::string, std::shared_ptr<const Dataset>> loaded_;
};

}  // namespace evostream::streams
