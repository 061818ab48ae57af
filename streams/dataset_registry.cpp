#include "streams/dataset_registry.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <tuple>

#include "common/data_error.hpp"
#include "streams/cifar_reader.hpp"
#include "streams/idx_reader.hpp"
#include "streams/image_folder_reader.hpp"
#include "streams/npy_reader.hpp"
#include "streams/synthetic_generator.hpp"

namespace evostream::streams {

using config::DatasetSpec;

using common::DataError;

namespace {

namespace fs = std::filesystem;

std::string in_dir(const std::string& dir, const std::string& file) {
  return (fs::path(dir) / file).string();
}

const char* files_of(DatasetSpec::Kind kind) {
  switch (kind) {
    case DatasetSpec::Kind::kIdx:
      return "IDX";
    case DatasetSpec::Kind::kNpy:
      return ".npy";
    case DatasetSpec::Kind::kImages:
      return "image";
    default:
      return "CIFAR";
  }
}

void expect_dir(const DatasetSpec& spec, const std::string& hint) {
  std::error_code ec;
  if (!fs::is_directory(spec.path, ec)) {
    throw DataError(spec.path, fmt::format("dataset \"{}\": expected a directory of {} files, "
                                           "found {}{}",
                                           spec.name, files_of(spec.kind),
                                           fs::exists(spec.path, ec) ? "a file" : "nothing", hint));
  }
}

// Both splits of a dataset must have images of one shape.
void expect_same_shape(const Dataset& d, const std::string& test_file) {
  if (d.train.channels() != d.test.channels() || d.train.height() != d.test.height() ||
      d.train.width() != d.test.width()) {
    throw DataError(test_file, fmt::format("expected {}-channel {} × {} images like the training "
                                           "set, found {}-channel {} × {}",
                                           d.train.channels(), d.train.height(), d.train.width(),
                                           d.test.channels(), d.test.height(), d.test.width()));
  }
}

std::string install_hint(const std::string& name) {
  if (name == "fashion-mnist")
    return " (install Debian's dataset-fashion-mnist: scripts/install-deps)";
  if (name == "mnist")
    return " (fetch the MNIST digits: scripts/install-deps, or set EVOSTREAM_MNIST)";
  return "";
}

}  // namespace

Dataset DatasetRegistry::load(const DatasetSpec& spec) {
  Dataset d;
  d.name = spec.name;
  switch (spec.kind) {
    case DatasetSpec::Kind::kSynthetic:
      return SyntheticGenerator(spec.synthetic).generate(spec.name);
    case DatasetSpec::Kind::kIdx: {
      expect_dir(spec, install_hint(spec.name));
      d.num_classes = spec.num_classes;
      d.train = IdxReader::read(in_dir(spec.path, spec.train_images),
                                in_dir(spec.path, spec.train_labels), spec.num_classes);
      d.test = IdxReader::read(in_dir(spec.path, spec.test_images),
                               in_dir(spec.path, spec.test_labels), spec.num_classes);
      expect_same_shape(d, in_dir(spec.path, spec.test_images));
      d.class_names = class_names(spec);
      break;
    }
    case DatasetSpec::Kind::kNpy: {
      expect_dir(spec, "");
      const NpyLayout layout = spec.layout == "nhwc"   ? NpyLayout::kNhwc
                               : spec.layout == "nchw" ? NpyLayout::kNchw
                                                       : NpyLayout::kAuto;
      d.num_classes = spec.num_classes;
      d.class_names = spec.class_names;
      d.train = NpyReader::read(in_dir(spec.path, spec.train_images),
                                in_dir(spec.path, spec.train_labels), spec.num_classes, layout);
      d.test = NpyReader::read(in_dir(spec.path, spec.test_images),
                               in_dir(spec.path, spec.test_labels), spec.num_classes, layout);
      if (d.train.channels() != spec.image_channels) {
        throw DataError(in_dir(spec.path, spec.train_images),
                        fmt::format("expected {}-channel images (datasets.{}.channels), found "
                                    "{}-channel ones",
                                    spec.image_channels, spec.name, d.train.channels()));
      }
      expect_same_shape(d, in_dir(spec.path, spec.test_images));
      break;
    }
    case DatasetSpec::Kind::kImages: {
      expect_dir(spec, "");
      d.num_classes = spec.num_classes;
      d.class_names = spec.class_names;
      const std::string train = in_dir(spec.path, "train");
      std::error_code ec;
      if (fs::is_directory(train, ec)) {
        d.train =
            ImageFolderReader::read(train, spec.class_names, spec.image_channels, spec.image_side);
        d.test = ImageFolderReader::read(in_dir(spec.path, "test"), spec.class_names,
                                         spec.image_channels, spec.image_side);
      } else {
        std::tie(d.train, d.test) =
            ImageFolderReader::read_split(spec.path, spec.class_names, spec.image_channels,
                                          spec.image_side, spec.test_fraction, spec.split_seed);
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

std::vector<std::string> DatasetRegistry::class_names(const DatasetSpec& spec) {
  std::vector<std::string> names = spec.class_names;
  if (names.empty() && spec.kind == DatasetSpec::Kind::kIdx && spec.name == "fashion-mnist" &&
      spec.num_classes == 10)
    names = fashion_mnist_class_names();
  for (int64_t k = static_cast<int64_t>(names.size()); k < spec.classes(); ++k)
    names.push_back("class " + std::to_string(k));
  return names;
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
