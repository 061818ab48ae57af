#include "app/search_history.hpp"

#include <algorithm>
#include <deque>
#include <fstream>
#include <nlohmann/json.hpp>

namespace evostream::app {

namespace {

// Whether `p` holds a number under `key` (an integer where `integer`).
bool has_number(const nlohmann::json& p, const char* key, bool integer = false) {
  const auto at = p.find(key);
  return at != p.end() && (integer ? at->is_number_integer() : at->is_number());
}

// A candidate event's `curve`, leaving out points that are not objects of numbers; none in
// events written before candidates recorded it.
model::TrainingCurve curve_of(const nlohmann::json& e) {
  model::TrainingCurve curve;
  const auto at = e.find("curve");
  if (at == e.end() || !at->is_object())
    return curve;
  if (const auto v = at->find("validations"); v != at->end() && v->is_array()) {
    for (const auto& p : *v) {
      if (p.is_object() && has_number(p, "step", true) && has_number(p, "accuracy") &&
          has_number(p, "loss")) {
        curve.validations.push_back({p.at("step").get<int64_t>(), p.at("accuracy").get<double>(),
                                     p.at("loss").get<double>()});
      }
    }
  }
  if (const auto l = at->find("losses"); l != at->end() && l->is_array()) {
    for (const auto& p : *l) {
      if (!p.is_object() || !has_number(p, "step", true) || !has_number(p, "loss"))
        continue;
      model::LossPoint point{p.at("step").get<int64_t>(), p.at("loss").get<double>(), {}};
      if (const auto terms = p.find("terms"); terms != p.end() && terms->is_object()) {
        for (const auto& [name, value] : terms->items()) {
          if (value.is_number())
            point.terms[name] = value.get<double>();
        }
      }
      curve.losses.push_back(std::move(point));
    }
  }
  return curve;
}

}  // namespace

std::vector<report::ReportPage::Search> read_searches(const std::string& events_jsonl,
                                                      size_t last) {
  std::deque<report::ReportPage::Search> kept;
  if (last == 0)
    return {};
  std::ifstream in(events_jsonl);
  for (std::string line; std::getline(in, line);) {
    const bool started = line.find("\"event\":\"task_started\"") != std::string::npos;
    if (!started && line.find("\"event\":\"candidate\"") == std::string::npos)
      continue;
    const auto e = nlohmann::json::parse(line, nullptr, false);
    if (e.is_discarded() || !e.is_object())
      continue;
    const std::string task = e.value("task", "");
    auto search =
        std::find_if(kept.begin(), kept.end(), [&](const auto& s) { return s.first == task; });
    if (started) {
      // A new visit of the task: its search starts again, as the latest.
      if (search != kept.end())
        kept.erase(search);
      kept.emplace_back(task, std::vector<model::CandidateRecord>{});
      if (kept.size() > last)
        kept.pop_front();
      continue;
    }
    if (search == kept.end())
      continue;  // a task no longer among the last
    model::CandidateRecord p;
    p.name = e.value("name", "");
    p.parent = e.value("parent", "");
    p.generation = e.value("generation", int64_t{0});
    p.quality = e.value("quality", 0.0);
    p.score = e.value("score", 0.0);
    p.kept = e.value("kept", false);
    p.changes = e.value("changes", std::vector<std::string>{});
    p.trained_params = e.value("trained_params", int64_t{0});
    p.curve = curve_of(e);
    search->second.push_back(std::move(p));
  }
  return {kept.begin(), kept.end()};
}

report::ReportPage::History read_history(const std::string& events_jsonl, size_t last) {
  report::ReportPage::History h;
  h.searches = read_searches(events_jsonl, last);
  std::ifstream in(events_jsonl);
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"event\":\"root_trained\"") == std::string::npos)
      continue;
    const auto e = nlohmann::json::parse(line, nullptr, false);
    if (!e.is_discarded() && e.is_object())
      h.root = curve_of(e);
  }
  return h;
}

}  // namespace evostream::app
