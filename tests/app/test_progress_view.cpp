#include <catch2/catch.hpp>
#include <sstream>

#include "app/progress_view.hpp"
#include "support/cli.hpp"

using namespace evostream::app;
using Catch::Matchers::Contains;
using Json = ProgressView::Json;

namespace {

Json task_started() {
  return Json{{"event", "task_started"},
              {"time", 1.0},
              {"task", "tops-4"},
              {"index", 2},
              {"tasks", 14},
              {"iteration", 0},
              {"iterations", 1},
              {"classes", 4},
              {"train", 100},
              {"validation", 10},
              {"test", 40},
              {"generations", 2},
              {"candidates", 4}};
}

Json candidate(int64_t generation, double score) {
  return Json{{"event", "candidate"}, {"time", 2.0},
              {"task", "tops-4"},     {"name", "tops-4@0.0.1"},
              {"parent", "root"},     {"generation", generation},
              {"child", 1},           {"quality", score},
              {"score", score},       {"kept", true},
              {"trained_params", 66}, {"seconds", 0.5}};
}

Json committed() {
  return Json{{"event", "task_committed"},
              {"time", 3.0},
              {"task", "tops-4"},
              {"accuracies", Json{{"a", 0.5}, {"tops-4", 0.75}}},
              {"average_accuracy", 0.625}};
}

Json finished() {
  return Json{{"event", "run_finished"},
              {"time", 4.0},
              {"dir", "runs/x"},
              {"strategy", "mu2net"},
              {"average_accuracy", 0.625},
              {"bwt", 0.0},
              {"forgetting", 0.0},
              {"max_forgetting", 0.0},
              {"params_per_task", 10.0},
              {"total_params", 20},
              {"train_seconds", 1.0},
              {"evaluation_seconds", 0.1},
              {"stream_seconds", 2.0},
              {"snapshot_seconds", 0.01},
              {"snapshot_bytes_per_task", 2000.0},
              {"orchestration_seconds", 0.02},
              {"trainers", 1},
              {"state_hash", "abc"},
              {"report", "runs/x/report.html"},
              {"tasks", Json::array({Json{{"name", "tops-4"},
                                          {"test_accuracy", 0.75},
                                          {"forgetting", nullptr},
                                          {"accounted_params", 10.0},
                                          {"params_added", 5},
                                          {"train_seconds", 1.0}}})}};
}

std::string shown(ProgressMode mode, const std::vector<Json>& events, int columns = 100) {
  std::ostringstream out;
  ProgressView view(mode, out, columns);
  for (const auto& e : events)
    view.show(e);
  view.close();
  return out.str();
}

}  // namespace

TEST_CASE("The mode follows --json, then --quiet, then whether stdout is a terminal", "[app]") {
  CHECK(ProgressView::choose(true, true, true) == ProgressMode::kJson);
  CHECK(ProgressView::choose(true, false, true) == ProgressMode::kQuiet);
  CHECK(ProgressView::choose(false, false, true) == ProgressMode::kTerminal);
  CHECK(ProgressView::choose(false, false, false) == ProgressMode::kLog);
}

TEST_CASE("The log mode prints one plain line per task, candidate and commit", "[app]") {
  const std::string text =
      shown(ProgressMode::kLog, {task_started(), candidate(0, 0.9), committed(), finished()});
  CHECK_THAT(text, Contains("task 3/14 tops-4 (4 classes, 100 train, 10 validation, 40 test)\n"));
  CHECK_THAT(text, Contains("tops-4@0.0.1"));
  CHECK_THAT(text, Contains("<- root"));
  CHECK_THAT(text, Contains("committed tops-4: test accuracies 50.00 75.00; average 62.50%"));
  CHECK_THAT(text, Contains("mu2net: average accuracy 62.50%, BWT +0.00 points"));
  CHECK_THAT(text, Contains("state-hash: abc\n"));
  CHECK_THAT(text, Contains("report: runs/x/report.html"));
  CHECK(text.find('\033') == std::string::npos);
}

TEST_CASE("The JSON mode prints every event as one object per line and nothing else", "[app]") {
  const std::string text = shown(ProgressMode::kJson, {task_started(), candidate(0, 0.9)});
  CHECK(evostream::testing::lines(text) == 2);
  const auto newline = text.find('\n');
  CHECK(Json::parse(text.substr(0, newline)) == task_started());
  CHECK(Json::parse(text.substr(newline + 1)) == candidate(0, 0.9));
}

TEST_CASE("The quiet mode prints only the summary, or how to resume", "[app]") {
  const std::string text =
      shown(ProgressMode::kQuiet, {task_started(), candidate(0, 0.9), committed(), finished()});
  CHECK(evostream::testing::lines(text) == 3);
  CHECK_THAT(text, Contains("mu2net: average accuracy 62.50%"));
  const std::string stopped = shown(
      ProgressMode::kQuiet,
      {task_started(),
       Json{{"event", "interrupted"}, {"dir", "runs/x"}, {"events_done", 1}, {"events_total", 3}}});
  CHECK_THAT(stopped, Contains("continue with: evostream resume runs/x"));
}

TEST_CASE("The terminal mode redraws one live line per task and keeps commits", "[app]") {
  const std::string text = shown(
      ProgressMode::kTerminal, {task_started(), candidate(0, 0.8), candidate(1, 0.9), committed()});
  // The live line is drawn, erased (cursor up, clear) and drawn again after each candidate.
  CHECK_THAT(text, Contains("  task 3/14 tops-4  gen 1/2  candidates 0/4  best -"));
  CHECK_THAT(text,
             Contains("\033[1A\r\033[2K  task 3/14 tops-4  gen 1/2  candidates 1/4  best 0.8000"));
  CHECK_THAT(text, Contains("gen 2/2  candidates 2/4  best 0.9000"));
  CHECK_THAT(text, Contains("\033[1A\r\033[2K  committed tops-4"));
  // Candidates have no lines of their own.
  CHECK(text.find("<- root") == std::string::npos);
}

TEST_CASE("Live lines are cut to the terminal's width", "[app]") {
  const std::string text = shown(ProgressMode::kTerminal, {task_started()}, 30);
  CHECK_THAT(text, Contains("  task 3/14 tops-4  gen 1/2  \n"));
}

TEST_CASE("The ETA comes from the candidates so far, else from earlier tasks", "[app]") {
  ProgressView::Live live;
  live.task = "t";
  live.tasks = 2;
  live.total = 4;
  const auto start = ProgressView::Clock::now();
  live.started = start;
  const auto later = start + std::chrono::seconds(30);
  CHECK_THAT(ProgressView::live_line(live, later, 0.0), Contains("30 s  ETA -"));
  CHECK_THAT(ProgressView::live_line(live, later, 100.0), Contains("ETA ~1m10s"));
  live.done = 1;
  CHECK_THAT(ProgressView::live_line(live, later, 100.0), Contains("ETA 1m30s"));
  live.done = 4;
  CHECK_THAT(ProgressView::live_line(live, later, 0.0), Contains("ETA committing"));
}

TEST_CASE("Durations read as seconds, minutes or hours", "[app]") {
  CHECK(ProgressView::duration(42.4) == "42 s");
  CHECK(ProgressView::duration(185) == "3m05s");
  CHECK(ProgressView::duration(3725) == "1h02m");
  CHECK(ProgressView::duration(-3) == "0 s");
}
