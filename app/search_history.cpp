#include "app/search_history.hpp"

#include <algorithm>
#include <deque>
#include <fstream>
#include <nlohmann/json.hpp>

namespace evostream::app {

namespace {

// A candidate event's `curve`, leaving out points that are not objects of numbers; none in
// events written before candidates recorded it.
std::vector<model::ValidationPoint> curve_of(const nlohmann::json& e) {
  std::vector<model::ValidationPoint> curve;
  const auto at = e.find("curve");
  if (at == e.end() || !at->is_array())
    return curve;
  for (const auto& p : *at) {
    if (!p.is_object() || !p.value("step", nlohmann::json()).is_number_integer() ||
        !p.value("accuracy", nlohmann::json()).is_number() ||
        !p.value("loss", nlohmann::json()).is_number())
      continue;
    model::ValidationPoint v;
    v.step = p.at("step").get<int64_t>();
    v.accuracy = p.at("accuracy").get<double>();
    v.loss = p.at("loss").get<double>();
    if (const auto terms = p.find("terms"); terms != p.end() && terms->is_object()) {
      for (const auto& [name, value] : terms->items()) {
        if (value.is_number())
          v.terms[name] = value.get<double>();
      }
    }
    curve.push_back(std::move(v));
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

}  // namespace evostream::app
