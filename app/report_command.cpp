#include "app/report_command.hpp"

#include <fmt/format.h>

#include "app/model_graph.hpp"
#include "app/report_page.hpp"
#include "storage/results_reader.hpp"
#include "storage/results_writer.hpp"

namespace evostream::app {

int ReportCommand::run(std::ostream& out) const {
  const model::RunResults run = storage::ResultsReader::read_run(run_dir_);
  if (dot_) {
    out << ModelGraph(run).dot();
    return 0;
  }
  std::vector<model::RunResults> runs{run};
  std::vector<model::RunResults> others;
  for (const auto& dir : others_) {
    others.push_back(storage::ResultsReader::read_run(dir));
    runs.push_back(others.back());
  }
  std::vector<std::string> dirs{run_dir_};
  dirs.insert(dirs.end(), others_.begin(), others_.end());
  const std::string path = run_dir_ + "/report.html";
  storage::ResultsWriter::write_text(
      path, ReportPage::html(run, others, ReportPage::labels(runs, dirs), run_dir_));
  out << fmt::format("report written to {}\n", path);
  return 0;
}

std::string ReportCommand::write(const std::string& run_dir) {
  const model::RunResults run = storage::ResultsReader::read_run(run_dir);
  const std::string path = run_dir + "/report.html";
  storage::ResultsWriter::write_text(path, ReportPage::html(run, {}, {}, run_dir));
  return path;
}

}  // namespace evostream::app
