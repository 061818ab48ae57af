#include "app/report_command.hpp"

#include <fmt/format.h>

#include "app/search_history.hpp"
#include "report/model_graph.hpp"
#include "report/report_page.hpp"
#include "storage/results_reader.hpp"
#include "storage/results_writer.hpp"

namespace evostream::app {

namespace {

// Tasks whose search the report draws: the last ones started.
constexpr size_t kSearchesDrawn = 6;

}  // namespace

int ReportCommand::run(std::ostream& out) const {
  if (dot_) {
    out << report::ModelGraph(storage::ResultsReader::read_run(run_dir_)).dot();
    return 0;
  }
  out << fmt::format("report written to {}\n", write(run_dir_, others_));
  return 0;
}

std::string ReportCommand::write(const std::string& run_dir,
                                 const std::vector<std::string>& others) {
  std::vector<model::RunResults> runs{storage::ResultsReader::read_run(run_dir)};
  for (const auto& dir : others)
    runs.push_back(storage::ResultsReader::read_run(dir));
  std::vector<std::string> dirs{run_dir};
  dirs.insert(dirs.end(), others.begin(), others.end());
  const std::vector<model::RunResults> beside(runs.begin() + 1, runs.end());
  const std::string path = run_dir + "/report.html";
  storage::ResultsWriter::write_text(
      path,
      report::ReportPage::html(runs.front(), beside, report::ReportPage::labels(runs, dirs),
                               run_dir, read_searches(run_dir + "/events.jsonl", kSearchesDrawn)));
  return path;
}

}  // namespace evostream::app
