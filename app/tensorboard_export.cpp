#include "app/tensorboard_export.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "report/tensorboard_file.hpp"
#include "storage/results_writer.hpp"

namespace evostream::app {

namespace {

using Json = nlohmann::json;

// The events of `path` that are JSON objects, with each one's wall time: its `time` plus the
// Unix time its command started (a command's events restart `time` at 0; its `run_started`
// says when it began, as `unix_time`).
std::vector<std::pair<Json, double>> read_events(const std::string& path) {
  std::vector<Json> events;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    Json e = Json::parse(line, nullptr, false);
    if (!e.is_discarded() && e.is_object() && e.value("time", Json()).is_number())
      events.push_back(std::move(e));
  }
  std::vector<std::pair<Json, double>> out;
  size_t begin = 0;
  while (begin < events.size()) {
    size_t end = begin + 1;
    while (end < events.size() &&
           events[end].at("time").get<double>() >= events[end - 1].at("time").get<double>())
      ++end;
    double base = 0.0;
    for (size_t i = begin; i < end; ++i) {
      const Json& e = events[i];
      if (e.value("event", "") == "run_started" && e.value("unix_time", Json()).is_number()) {
        base = e.at("unix_time").get<double>() - e.at("time").get<double>();
        break;
      }
    }
    for (size_t i = begin; i < end; ++i) {
      const double t = events[i].at("time").get<double>();
      out.emplace_back(std::move(events[i]), base + t);
    }
    begin = end;
  }
  return out;
}

// Adds the `points` of a curve (each an object with an integer `step`) under `tag` (a number
// under `key`) and under `tag/TERM` for each of its `terms`.
void curve(report::TensorBoardFile& file, const std::string& tag, const Json& points,
           const char* key, double wall) {
  if (!points.is_array())
    return;
  for (const Json& p : points) {
    if (!p.is_object() || !p.value("step", Json()).is_number_integer())
      continue;
    const auto step = p.at("step").get<int64_t>();
    if (p.value(key, Json()).is_number())
      file.scalar(tag, step, p.at(key).get<double>(), wall);
    if (const auto terms = p.find("terms"); terms != p.end() && terms->is_object()) {
      for (const auto& [name, value] : terms->items()) {
        if (value.is_number())
          file.scalar(tag.substr(0, tag.rfind('/')) + "/" + name, step, value.get<double>(), wall);
      }
    }
  }
}

}  // namespace

std::string write_tensorboard(const std::string& run_dir) {
  const auto events = read_events(run_dir + "/events.jsonl");
  report::TensorBoardFile file(events.empty() ? 0.0 : events.front().second);
  std::map<std::string, std::vector<Json>> visit;  // each task's candidates, latest visit
  int64_t committed = 0;
  for (const auto& [e, wall] : events) {
    const std::string kind = e.value("event", "");
    const std::string task = e.value("task", "");
    if (kind == "root_step" && e.value("step", Json()).is_number_integer() &&
        e.value("validation_accuracy", Json()).is_number()) {
      file.scalar("root/validation_accuracy", e.at("step").get<int64_t>(),
                  e.at("validation_accuracy").get<double>(), wall);
    } else if (kind == "root_trained" && e.value("curve", Json()).is_object()) {
      curve(file, "root/loss", e.at("curve").value("losses", Json()), "loss", wall);
    } else if (kind == "task_started") {
      visit[task].clear();
    } else if (kind == "candidate") {
      visit[task].push_back(e);
    } else if (kind == "task_committed") {
      ++committed;
      if (e.value("average_accuracy", Json()).is_number())
        file.scalar("average_accuracy", committed, e.at("average_accuracy").get<double>(), wall);
      if (const auto a = e.find("accuracies"); a != e.end() && a->is_object()) {
        for (const auto& [name, accuracy] : a->items()) {
          if (accuracy.is_number())
            file.scalar("test_accuracy/" + name, committed, accuracy.get<double>(), wall);
        }
      }
    } else if (kind == "snapshot" && e.value("path", Json()).is_string()) {
      // The committed path is known once its snapshot is written: draw how it trained.
      for (const Json& c : visit[task]) {
        if (c.value("name", "") != e.at("path").get<std::string>())
          continue;
        const Json& training = c.value("curve", Json::object());
        const std::string prefix = "training/" + task;
        if (training.is_object()) {
          curve(file, prefix + "/validation_accuracy", training.value("validations", Json()),
                "accuracy", wall);
          curve(file, prefix + "/loss", training.value("losses", Json()), "loss", wall);
        }
        break;
      }
    }
  }
  const std::string dir = run_dir + "/tensorboard";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/events.out.tfevents.0.evostream";
  storage::ResultsWriter::write_text(path, file.bytes());
  return path;
}

}  // namespace evostream::app
