#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "report/report_page.hpp"

namespace evostream::app {

/// The searches of the `last` tasks a run started last, from its `events.jsonl`: for each, the
/// candidates of its latest visit (a visit abandoned by a crash and done again counts once), in
/// the order the tasks started, each with its training curve where its event has one (points
/// that are not objects of numbers are left out). Lines that are not candidate or `task_started`
/// events are not parsed, and a line cut by a crash is left out; a missing file has no searches.
std::vector<report::ReportPage::Search> read_searches(const std::string& events_jsonl, size_t last);

/// What a run's `events.jsonl` says for its report (`report::ReportPage::History`): the
/// searches of the `last` tasks started last (`read_searches`) and how the root trained (the
/// latest `root_trained` event's curve; none for an imported or initialised root).
report::ReportPage::History read_history(const std::string& events_jsonl, size_t last);

}  // namespace evostream::app
