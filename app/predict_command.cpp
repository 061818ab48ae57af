#include "app/predict_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <sstream>

#include "app/csv_field.hpp"
#include "app/task_model.hpp"
#include "common/data_error.hpp"
#include "model/run/predictor.hpp"
#include "storage/atomic_file.hpp"
#include "streams/gz_file.hpp"
#include "streams/idx_reader.hpp"
#include "streams/image_folder_reader.hpp"
#include "streams/npy_reader.hpp"

namespace evostream::app {

namespace {

namespace fs = std::filesystem;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The images of one input file, by its kind: .npy, PNG/JPEG, else IDX.
streams::ImageSet read_input(const std::string& file, const model::Predictor& p) {
  const std::string name = lower(file);
  if (ends_with(name, ".npy") || ends_with(name, ".npy.gz"))
    return streams::NpyReader::read_images(file);
  if (ends_with(name, ".png") || ends_with(name, ".jpg") || ends_with(name, ".jpeg")) {
    streams::ImageSet one(p.channels(), p.side(), p.side());
    const auto pixels = streams::ImageFolderReader::decode(file, p.channels(), p.side());
    one.push_back(pixels.data(), 0);
    return one;
  }
  {
    // Anything else must be IDX images: say so rather than report a wrong magic number only.
    streams::GzFile probe(file);
    uint32_t magic = 0;
    try {
      magic = probe.read_be32("the magic number");
    } catch (const common::DataError&) {
    }
    if (magic != streams::IdxReader::kImagesMagic) {
      throw common::DataError(file,
                              "expected IDX images (magic 2051), a .npy array, or a "
                              ".png/.jpg/.jpeg image, found another file");
    }
  }
  return streams::IdxReader::read_images(file);
}

}  // namespace

int PredictCommand::run(std::ostream& out, std::ostream& err) const {
  const auto start = std::chrono::steady_clock::now();
  const TaskModel m = TaskModel::load(options_.run_dir, options_.task, err);
  const model::Predictor predictor(m.store, m.path, m.task, m.scenario.root.architecture);
  const std::vector<std::string> names = m.class_names();

  std::ostringstream csv;
  csv << "file,index,label,class,probability";
  for (int64_t k = 0; options_.logits && k < predictor.classes(); ++k)
    csv << ",logit_" << k;
  csv << "\n";
  int64_t images = 0;
  for (const auto& file : options_.inputs) {
    const streams::ImageSet set = read_input(file, predictor);
    images += set.size();
    const auto predictions = predictor.classify(set, options_.batch);
    for (size_t i = 0; i < predictions.size(); ++i) {
      const auto& p = predictions[i];
      const std::string cls = p.label < static_cast<int64_t>(names.size())
                                  ? names[static_cast<size_t>(p.label)]
                                  : fmt::format("class {}", p.label);
      csv << fmt::format("{},{},{},{},{:.6f}", csv_field(file), i, p.label, csv_field(cls),
                         p.probability);
      if (options_.logits)
        csv << fmt::format(",{:.7g}", fmt::join(p.logits, ","));
      csv << "\n";
    }
  }
  if (options_.out.empty()) {
    out << csv.str();
  } else {
    const std::string text = csv.str();
    storage::write_atomically(options_.out, text.data(), text.size(), 0644);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  err << fmt::format(
      "evostream: task {}: {} images from {} file(s) classified by path {} in "
      "{:.2f} s{}\n",
      options_.task, images, options_.inputs.size(), m.path.name, seconds,
      options_.out.empty() ? "" : " into " + options_.out);
  return 0;
}

}  // namespace evostream::app
