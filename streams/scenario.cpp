#include "streams/scenario.hpp"

#include <cstdlib>

#include "streams/cifar_reader.hpp"

namespace evostream::streams {

int64_t DatasetSpec::classes() const {
  switch (kind) {
    case Kind::kIdx:
      return num_classes;
    case Kind::kCifar10:
      return CifarReader::num_classes(CifarReader::Variant::kCifar10);
    case Kind::kCifar100:
      return CifarReader::num_classes(coarse ? CifarReader::Variant::kCifar100Coarse
                                             : CifarReader::Variant::kCifar100Fine);
    case Kind::kSynthetic:
      return synthetic.classes;
  }
  return 0;
}

int64_t DatasetSpec::channels() const {
  switch (kind) {
    case Kind::kIdx:
      return 1;
    case Kind::kCifar10:
    case Kind::kCifar100:
      return 3;
    case Kind::kSynthetic:
      return synthetic.channels;
  }
  return 0;
}

const DatasetSpec* Scenario::find_dataset(const std::string& name) const {
  for (const auto& d : datasets) {
    if (d.name == name)
      return &d;
  }
  return nullptr;
}

std::string default_fashion_mnist_dir() {
  if (const char* env = std::getenv("EVOSTREAM_FASHION_MNIST"); env != nullptr && *env != '\0') {
    return env;
  }
  return "/usr/share/datasets/fashion-mnist";
}

}  // namespace evostream::streams
