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
  // The live line is drawn, erased (cursor up, clear) and drawn again after each candidate;
  // "best" is the best-scoring candidate's validation accuracy, in %.
  CHECK_THAT(text, Contains("  tops-4 [........] 0/4 gen 1/2 best -  0 s elapsed"));
  CHECK_THAT(text, Contains("\033[1A\r\033[2K  tops-4 [##......] 1/4 gen 1/2 best 80.0%"));
  CHECK_THAT(text, Contains("[####....] 2/4 gen 2/2 best 90.0%"));
  CHECK_THAT(text, Contains("\033[1A\r\033[2K  committed tops-4"));
  // Candidates have no lines of their own, unless verbose.
  CHECK(text.find("<- root") == std::string::npos);
  std::ostringstream out;
  ProgressView verbose(ProgressMode::kTerminal, out, 100, "evostream", true);
  for (const auto& e : {task_started(), candidate(0, 0.8)})
    verbose.show(e);
  verbose.close();
  CHECK_THAT(out.str(), Contains("<- root") && Contains("quality  80.00%"));
}

TEST_CASE("The terminal mode shows the whole stream's progress above the tasks'", "[app]") {
  const Json started{{"event", "run_started"}, {"time", 0.0},       {"events_done", 1},
                     {"events_total", 4},      {"trainers", 1},     {"tasks", 4},
                     {"dir", "runs/x"},        {"simulated", false}};
  const std::string text = shown(ProgressMode::kTerminal, {started, task_started(), committed()});
  CHECK_THAT(text, Contains("stream [#####...............] 1/4 task visits  0 s elapsed, ETA -"));
  CHECK_THAT(text, Contains("stream [##########..........] 2/4 task visits"));
  // One visit done since the start: the rest extrapolates from it.
  CHECK(ProgressView::stream_line(2, 4, 1, 30.0, 0.0) ==
        "stream [##########..........] 2/4 task visits  30 s elapsed, ETA 1m00s");
  CHECK_THAT(ProgressView::stream_line(1, 4, 1, 5.0, 20.0), Contains("ETA ~1m00s"));
  CHECK_THAT(ProgressView::stream_line(4, 4, 0, 5.0, 0.0), Contains("ETA finishing"));
}

TEST_CASE("Root training shows a bar and an ETA from the steps so far", "[app]") {
  const auto step = [](int64_t n, double time) {
    return Json{{"event", "root_step"},
                {"time", time},
                {"step", n},
                {"steps", 200},
                {"validation_accuracy", 0.5}};
  };
  const std::string text = shown(ProgressMode::kLog, {step(20, 12.0), step(60, 32.0)});
  CHECK_THAT(text, Contains("  root [#.........] step 20/200  validation 50.00%  12 s elapsed, "
                            "ETA -"));
  // 40 steps in 20 s: 140 more take 70 s.
  CHECK_THAT(text, Contains("  root [###.......] step 60/200  validation 50.00%  32 s elapsed, "
                            "ETA 1m10s"));
}

TEST_CASE("Live lines fit 80 columns and are cut to the terminal's width", "[app]") {
  const std::string text = shown(ProgressMode::kTerminal, {task_started()}, 30);
  CHECK_THAT(text, Contains("  tops-4 [........] 0/4 gen 1\n"));
  ProgressView::Live live;
  live.task = "a-task-name-of-thirty-characters";
  live.index = 99;
  live.tasks = 100;
  live.generations = 10;
  live.total = 99;
  live.done = 10;
  live.best_quality = 0.9999;
  live.started = ProgressView::Clock::now();
  const std::string line =
      ProgressView::live_line(live, live.started + std::chrono::seconds(599), 0.0);
  INFO(line);
  CHECK(line.size() <= 80);
  CHECK_THAT(line, Contains("a-task-name-o~ [#.......] 10/99 gen 1/10 best 100.0%"));
}

TEST_CASE("The ETA comes from the candidates so far, else from earlier tasks", "[app]") {
  ProgressView::Live live;
  live.task = "t";
  live.tasks = 2;
  live.total = 4;
  const auto start = ProgressView::Clock::now();
  live.started = start;
  const auto later = start + std::chrono::seconds(30);
  CHECK_THAT(ProgressView::live_line(live, later, 0.0), Contains("30 s elapsed, ETA -"));
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
