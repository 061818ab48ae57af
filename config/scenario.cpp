#include "config/scenario.hpp"

#include <cstdlib>

namespace evostream::config {

int64_t DatasetSpec::classes() const {
  switch (kind) {
    case Kind::kIdx:
    case Kind::kNpy:
    case Kind::kImages:
      return num_classes;
    case Kind::kCifar10:
      return 10;  // the same counts as streams::CifarReader::num_classes (a test checks)
    case Kind::kCifar100:
      return coarse ? 20 : 100;
    case Kind::kSynthetic:
      return synthetic.classes;
  }
  return 0;
}

int64_t DatasetSpec::channels() const {
  switch (kind) {
    case Kind::kIdx:
      return 1;
    case Kind::kNpy:
    case Kind::kImages:
      return image_channels;
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

std::string default_mnist_dir() {
  if (const char* env = std::getenv("EVOSTREAM_MNIST"); env != nullptr && *env != '\0')
    return env;
  return "/usr/local/share/datasets/mnist";
}

}  // namespace evostream::config

namespace evostream::config {

OptionTable StrategySpec::options_of(const std::string& strategy) const {
  for (const auto& t : options) {
    if (t.prefix == "strategy." + strategy)
      return t;
  }
  OptionTable empty;
  empty.file = file;
  empty.prefix = "strategy." + strategy;
  empty.line = line;
  return empty;
}

void StrategySpec::set_option(const std::string& strategy, const std::string& key,
                              OptionValue value) {
  OptionTable* table = nullptr;
  for (auto& t : options)
    table = t.prefix == "strategy." + strategy ? &t : table;
  if (table == nullptr) {
    options.push_back(options_of(strategy));
    table = &options.back();
    table->present = true;
  }
  for (auto& e : table->entries) {
    if (e.key == key) {
      e.value = std::move(value);
      return;
    }
  }
  table->entries.push_back({key, std::move(value), 0});
}

}  // namespace evostream::config
