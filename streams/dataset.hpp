#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "streams/image_set.hpp"

namespace evostream::streams {

/// A dataset as it comes from its source: a train and a test set over one label space.
struct Dataset {
  /// The name the scenario gives the dataset (e.g. `fashion-mnist`).
  std::string name;
  /// The training images; validation splits are carved from these.
  ImageSet train;
  /// The test images; never used for selection.
  ImageSet test;
  /// Size of the label space; every label lies in [0, num_classes).
  int64_t num_classes = 0;
  /// A readable name per class (`num_classes` entries).
  std::vector<std::string> class_names;
};

/// The class names of Fashion-MNIST, in label order.
const std::vector<std::string>& fashion_mnist_class_names();

}  // namespace evostream::streams
