#include "app/predict_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <sstream>

#include "model/core/parameter_store.hpp"
#include "model/run/predictor.hpp"
#include "storage/atomic_file.hpp"
#include "storage/run_directory.hpp"
#include "streams/data_error.hpp"
#include "streams/dataset_registry.hpp"
#include "streams/gz_file.hpp"
#include "streams/idx_reader.hpp"
#include "streams/image_folder_reader.hpp"
#include "streams/npy_reader.hpp"
#include "streams/scenario_parser.hpp"
#include "streams/transforms.hpp"

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
    } catch (const streams::DataError&) {
    }
    if (magic != streams::IdxReader::kImagesMagic) {
      throw streams::DataError(file,
                               "expected IDX images (magic 2051), a .npy array, or a "
                               ".png/.jpg/.jpeg image, found another file");
    }
  }
  return streams::IdxReader::read_images(file);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

int PredictCommand::run(std::ostream& out, std::ostream& err) const {
  const auto start = std::chrono::steady_clock::now();
  const storage::RunDirectory dir(options_.run_dir);
  storage::LoadedRun loaded = dir.load(false);
  for (const auto& w : loaded.warnings)
    err << "evostream: warning: " << w << "\n";
  const streams::Scenario s = streams::ScenarioParser::parse_file(dir.scenario_path(), {});
  const auto task = std::find_if(s.tasks.begin(), s.tasks.end(),
                                 [&](const auto& t) { return t.name == options_.task; });
  if (task == s.tasks.end()) {
    std::vector<std::string> names;
    for (const auto& t : s.tasks)
      names.push_back(t.name);
    if (names.size() > 12) {
      names.resize(12);
      names.push_back("...");
    }
    throw std::invalid_argument(fmt::format("--task: expected a task of run {} ({}), found \"{}\"",
                                            options_.run_dir, fmt::join(names, ", "),
                                            options_.task));
  }
  const auto path = loaded.progress.paths.find(options_.task);
  if (path == loaded.progress.paths.end()) {
    throw std::invalid_argument(fmt::format(
        "--task: task \"{}\" of run {} is not learned yet ({} of {} task visits committed; "
        "continue it with `evostream resume {}`)",
        options_.task, options_.run_dir, loaded.progress.events_done, loaded.identity.events_total,
        options_.run_dir));
  }
  model::ParameterStore store;
  store.commit("root", loaded.root);
  for (auto& c : loaded.components)
    store.commit(c.owner(), {c});
  const model::Predictor predictor(store, path->second, *task, s.root.architecture);

  const streams::DatasetSpec* dataset = s.find_dataset(task->dataset);
  std::vector<std::string> names = streams::DatasetRegistry::class_names(*dataset);
  if (!task->classes.empty()) {
    std::vector<std::string> kept;
    for (int64_t c : task->classes)
      kept.push_back(names.at(static_cast<size_t>(c)));
    names = kept;
  }

  std::ostringstream csv;
  csv << "file,index,label,class,probability\n";
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
      csv << fmt::format("{},{},{},{},{:.6f}\n", csv_field(file), i, p.label, csv_field(cls),
                         p.probability);
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
      options_.task, images, options_.inputs.size(), path->second.name, seconds,
      options_.out.empty() ? "" : " into " + options_.out);
  return 0;
}

}  // namespace evostream::app
