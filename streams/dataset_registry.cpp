#include "streams/dataset_registry.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "streams/cifar_reader.hpp"
#include "streams/data_error.hpp"
#include "streams/idx_reader.hpp"
#include "streams/synthetic_generator.hpp"

namespace evostream::streams {

namespace {

namespace fs = std::filesystem;

std::string in_dir(const std::string& dir, const std::string& file) {
  return (fs::path(dir) / file).string();
}

void expect_dir(const DatasetSpec& spec, const std::string& hint) {
  std::error_code ec;
  if (!fs::is_directory(spec.path, ec)) {
    throw DataError(spec.path,
                    fmt::format("dataset \"{}\": expected a directory of {} files, "
                                "found {}{}",
                                spec.name, spec.kind == DatasetSpec::Kind::kIdx ? "IDX" : "CIFAR",
                                fs::exists(spec.path, ec) ? "a file" : "nothing", hint));
  }
}

}  // namespace

Dataset DatasetRegistry::load(const DatasetSpec& spec) {
  Dataset d;
  d.name = spec.name;
  switch (spec.kind) {
    case DatasetSpec::Kind::kSynthetic:
      return SyntheticGenerator(spec.synthetic).generate(spec.name);
    case DatasetSpec::Kind::kIdx: {
      const bool fmnist = spec.name == "fashion-mnist";
      expect_dir(spec,
                 fmnist ? " (install Debian's dataset-fashion-mnist: scripts/install-deps)" : "");
      d.num_classes = spec.num_classes;
      d.train = IdxReader::read(in_dir(spec.path, spec.train_images),
                                in_dir(spec.path, spec.train_labels), spec.num_classes);
      d.test = IdxReader::read(in_dir(spec.path, spec.test_images),
                               in_dir(spec.path, spec.test_labels), spec.num_classes);
      if (d.train.height() != d.test.height() || d.train.width() != d.test.width()) {
        throw DataError(
            in_dir(spec.path, spec.test_images),
            fmt::format("expected {} × {} images like the training set, found {} × {}",
                        d.train.height(), d.train.width(), d.test.height(), d.test.width()));
      }
      if (!spec.class_names.empty()) {
        d.class_names = spec.class_names;
      } else if (fmnist && spec.num_classes == 10) {
        d.class_names = fashion_mnist_class_names();
      }
      break;
    }
    case DatasetSpec::Kind::kCifar10:
    case DatasetSpec::Kind::kCifar100: {
      expect_dir(spec, "");
      CifarReader::Variant v = spec.kind == DatasetSpec::Kind::kCifar10
                                   ? CifarReader::Variant::kCifar10
                               : spec.coarse ? CifarReader::Variant::kCifar100Coarse
                                             : CifarReader::Variant::kCifar100Fine;
      d.num_classes = CifarReader::num_classes(v);
      if (spec.kind == DatasetSpec::Kind::kCifar10) {
        std::vector<std::string> train;
        for (int i = 1; i <= 5; ++i)
          train.push_back(in_dir(spec.path, fmt::format("data_batch_{}.bin", i)));
        d.train = CifarReader::read(train, v);
        d.test = CifarReader::read(in_dir(spec.path, "test_batch.bin"), v);
      } else {
        d.train = CifarReader::read(in_dir(spec.path, "train.bin"), v);
        d.test = CifarReader::read(in_dir(spec.path, "test.bin"), v);
      }
      break;
    }
  }
  for (int64_t k = static_cast<int64_t>(d.class_names.size()); k < d.num_classes; ++k) {
    d.class_names.push_back("class " + std::to_string(k));
  }
  return d;
}

std::shared_ptr<const Dataset> DatasetRegistry::get(const DatasetSpec& spec) {
  auto it = loaded_.find(spec.name);
  if (it != loaded_.end())
    return it->second;
  auto d = std::make_shared<const Dataset>(load(spec));
  loaded_.emplace(spec.name, d);
  return d;
}

}  // namespace evostream::streams
