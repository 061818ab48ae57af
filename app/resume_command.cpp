#include "app/resume_command.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "app/run_session.hpp"
#include "storage/run_directory.hpp"
#include "storage/run_lock.hpp"
#include "streams/scenario_parser.hpp"
#include "streams/thread_budget.hpp"

namespace evostream::app {

int ResumeCommand::run(RunEvents& events, std::ostream& err) const {
  const storage::RunDirectory dir(run_dir_);
  if (!dir.is_run())
    dir.load(false);  // says why it is not a run
  // Held until the run ends: a second resume, or a run still going, is refused.
  const storage::RunLock lock(dir.path());
  storage::LoadedRun loaded = dir.load();
  for (const auto& w : loaded.warnings)
    err << "evostream: warning: " << w << "\n";
  if (loaded.progress.events_done >= loaded.identity.events_total) {
    throw std::invalid_argument(fmt::format(
        "{}: the run is complete ({} of {} task visits); nothing to resume (start another with "
        "`evostream run SCENARIO --out DIR`)",
        run_dir_, loaded.progress.events_done, loaded.identity.events_total));
  }
  streams::Scenario s = streams::ScenarioParser::parse_file(dir.scenario_path());
  s.strategy.name = loaded.identity.strategy;
  s.seed = loaded.identity.seed;
  const std::string crowded =
      streams::check_thread_budget(s.trainers, streams::available_cores(), dir.scenario_path());
  if (!crowded.empty())
    err << "evostream: warning: " << crowded << "\n";
  events.open(dir.path() + "/events.jsonl", true);
  return RunSession(s, dir, {}, faults_).resume(std::move(loaded), events);
}

}  // namespace evostream::app
