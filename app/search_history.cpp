#include "app/search_history.hpp"

#include <algorithm>
#include <deque>
#include <fstream>
#include <nlohmann/json.hpp>

namespace evostream::app {

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
    search->second.push_back(std::move(p));
  }
  return {kept.begin(), kept.end()};
}

}  // namespace evostream::app
