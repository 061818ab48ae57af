#include "app/resume_command.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "app/run_session.hpp"
#include "config/scenario_parser.hpp"
#include "config/thread_budget.hpp"
#include "storage/results_writer.hpp"
#include "storage/run_directory.hpp"
#include "storage/run_lock.hpp"

namespace evostream::app {

int ResumeCommand::run(RunEvents& events, std::ostream& err) const {
  const storage::RunDirectory dir(run_dir_);
  if (!dir.is_run())
    dir.load(false);  // says why it is not a run
  // Held until the run ends: a second resume, or a run still going, is refused.
  const storage::RunLock lock(dir.path());
  const size_t before = config::ScenarioParser::parse_file(dir.scenario_path()).tasks.size();
  if (!more_.empty()) {
    // Kept before anything is learned: a resume after a crash finds the tasks there.
    storage::ResultsWriter::write_text(
        dir.scenario_path(), config::ScenarioParser::extended_file(dir.scenario_path(), more_));
  }
  storage::LoadedRun loaded = dir.load();
  for (const auto& w : loaded.warnings)
    err << "evostream: warning: " << w << "\n";
  config::Scenario s = config::ScenarioParser::parse_file(dir.scenario_path());
  const int64_t total = s.run.iterations * static_cast<int64_t>(s.tasks.size());
  if (loaded.progress.events_done >= total && !bell_) {
    throw std::invalid_argument(fmt::format(
        "{}: the run is complete ({} of {} task visits); nothing to resume (grow it with "
        "`evostream resume {} --tasks MORE.toml`, or start another with `evostream run "
        "SCENARIO --out DIR`)",
        run_dir_, loaded.progress.events_done, total, run_dir_));
  }
  s.strategy.name = loaded.identity.strategy;
  s.seed = loaded.identity.seed;
  const std::string crowded =
      config::check_thread_budget(s.trainers, config::available_cores(), dir.scenario_path());
  if (!crowded.empty())
    err << "evostream: warning: " << crowded << "\n";
  events.open(dir.path() + "/events.jsonl", true);
  if (const size_t added = s.tasks.size() - before; added > 0) {
    events.message(fmt::format("the stream grows by {} task{} from {} ({} in all)", added,
                               added == 1 ? "" : "s", more_, s.tasks.size()));
  }
  RunSession session(s, dir, {}, faults_);
  session.serve(bell_);
  return session.resume(std::move(loaded), events);
}

}  // namespace evostream::app
