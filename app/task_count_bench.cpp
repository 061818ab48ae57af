#include "app/task_count_bench.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "report/svg_charts.hpp"
#include "storage/results_reader.hpp"
#include "storage/results_writer.hpp"

namespace evostream::app {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Child {
  int status = -1;
  double seconds = 0.0;
  double max_rss_mb = 0.0;
};

// Runs `program args...` with its output in `log` and `env` (NAME=VALUE or empty) added.
Child run_child(const std::string& program, const std::vector<std::string>& args,
                const std::string& log, const std::string& env = "") {
  const auto t0 = Clock::now();
  const pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("bench scaling: cannot start a child process");
  if (pid == 0) {
    std::FILE* f = std::fopen(log.c_str(), "w");
    if (f) {
      dup2(fileno(f), 1);
      dup2(fileno(f), 2);
    }
    if (!env.empty())
      putenv(const_cast<char*>(env.c_str()));
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  Child c;
  c.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  c.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  c.max_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  return c;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::invalid_argument(path +
                                ": cannot open the scenario file (run from the project "
                                "directory, or name one with --tasks-scenario)");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The median of `commits[i + 1] - commits[i]` for i in [from, to), in milliseconds.
double median_interval_ms(const std::vector<double>& commits, size_t from, size_t to) {
  std::vector<double> gaps;
  for (size_t i = from; i < to; ++i)
    gaps.push_back(1000.0 * (commits[i + 1] - commits[i]));
  if (gaps.empty())
    return 0.0;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2),
                   gaps.end());
  return gaps[gaps.size() / 2];
}

}  // namespace

TaskCountBench::Pace TaskCountBench::pace(std::istream& events) {
  std::vector<double> commits;
  Pace p;
  for (std::string line; std::getline(events, line);) {
    if (line.find("\"task_committed\"") != std::string::npos)
      commits.push_back(nlohmann::json::parse(line).value("time", 0.0));
    else if (line.find("\"run_finished\"") != std::string::npos)
      p.streaming_rss_mb = nlohmann::json::parse(line).value("streaming_peak_rss_mb", 0.0);
  }
  if (commits.size() < 3)
    return p;
  commits.pop_back();
  // Interval i runs from commit i to commit i + 1: it is task i + 1's.
  const size_t gaps = commits.size() - 1;
  const size_t span = std::min(gaps, std::max<size_t>(5, gaps / 10));
  p.end_ms = median_interval_ms(commits, gaps - span, gaps);
  if (commits.size() >= 400)
    p.at_100_ms = median_interval_ms(commits, 99, 199);
  return p;
}

std::string TaskCountBench::scenario_text(const std::string& base, int64_t n) {
  // A simulated stream generates its tasks: set how many.
  static const std::regex kGenerated(R"((\[simulation\][^\[]*?\n)tasks *= *[0-9]+)");
  if (std::regex_search(base, kGenerated))
    return std::regex_replace(base, kGenerated, "$1tasks = " + std::to_string(n));
  const std::string marker = "[[tasks]]\n";
  const auto first = base.find(marker);
  if (first == std::string::npos)
    throw std::invalid_argument(
        "bench scaling: the base scenario has no [[tasks]] and no [simulation] tasks");
  // Each task's keys, without its name line.
  std::vector<std::string> bodies;
  for (auto at = first; at != std::string::npos;) {
    const auto next = base.find(marker, at + marker.size());
    std::string block =
        base.substr(at + marker.size(),
                    next == std::string::npos ? std::string::npos : next - at - marker.size());
    std::string body;
    std::istringstream lines(block);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("name", 0) != 0 && !line.empty())
        body += line + "\n";
    }
    bodies.push_back(body);
    at = next;
  }
  std::string out = base.substr(0, first);
  for (int64_t i = 0; i < n; ++i) {
    out += fmt::format("{}name = \"task-{:05d}\"\n{}\n", marker, i,
                       bodies[static_cast<size_t>(i) % bodies.size()]);
  }
  return out;
}

std::string TaskCountBench::csv(const std::vector<Point>& points) {
  std::string out =
      "tasks,stream_seconds,train_seconds,evaluation_seconds,orchestration_ms_per_task,"
      "evaluation_ms_per_task,snapshot_kb_per_task,snapshot_ms_per_task,max_rss_mb,"
      "store_params,resume_seconds,end_ms_per_task,simulated,streaming_rss_mb,"
      "at_100_ms_per_task\n";
  for (const auto& p : points) {
    const double n = static_cast<double>(std::max<int64_t>(1, p.tasks));
    out += fmt::format(
        "{},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{:.1f},{:.3f},{:.1f},{},{:.3f},{:.3f},{},{:.1f},"
        "{:.3f}\n",
        p.tasks, p.stream_seconds, p.train_seconds, p.evaluation_seconds,
        1000.0 * p.orchestration_seconds / n, 1000.0 * p.evaluation_seconds / n,
        static_cast<double>(p.snapshot_bytes) / 1000.0 / n, 1000.0 * p.snapshot_seconds / n,
        p.max_rss_mb, p.store_params, p.resume_seconds, p.end_ms_per_task, p.simulated,
        p.streaming_rss_mb, p.at_100_ms_per_task);
  }
  return out;
}

std::string TaskCountBench::svg(const std::vector<Point>& points) {
  std::vector<std::string> xs;
  report::SvgCharts::Series orchestration{"orchestration ms per task", "#1f77b4", {}};
  report::SvgCharts::Series evaluation{"evaluation ms per task", "#ff7f0e", {}};
  report::SvgCharts::Series snapshots{"snapshot ms per task", "#2ca02c", {}};
  report::SvgCharts::Series end{"median ms per task over the last tenth", "#9467bd", {}};
  for (const auto& p : points) {
    const double n = static_cast<double>(std::max<int64_t>(1, p.tasks));
    xs.push_back(std::to_string(p.tasks));
    orchestration.values.push_back(1000.0 * p.orchestration_seconds / n);
    evaluation.values.push_back(1000.0 * p.evaluation_seconds / n);
    snapshots.values.push_back(1000.0 * p.snapshot_seconds / n);
    end.values.push_back(p.end_ms_per_task);
  }
  return report::SvgCharts::file(
      report::SvgCharts::lines("scaling-tasks", xs, {orchestration, evaluation, snapshots, end},
                               "milliseconds per task, by tasks in the stream",
                               [](double v) { return fmt::format("{:.1f}", v); }));
}

std::vector<TaskCountBench::Point> TaskCountBench::run(const std::vector<int64_t>& tasks,
                                                       std::ostream& out) const {
  const std::string base = slurp(base_);
  std::vector<Point> points;
  for (int64_t n : tasks) {
    const std::string dir = fmt::format("{}/tasks-{}", out_, n);
    fs::create_directories(dir);
    const std::string scenario = dir + "/scenario-in.toml";
    storage::ResultsWriter::write_text(scenario, scenario_text(base, n));
    const Child whole = run_child(
        program_, {"run", scenario, "--out", dir + "/run", "--fast", "--quiet", "--force"},
        dir + "/run.log");
    if (whole.status != 0)
      throw std::runtime_error(
          fmt::format("bench scaling: the {}-task run failed; see {}/run.log", n, dir));
    const model::RunResults r = storage::ResultsReader::read_run(dir + "/run");
    // The same stream killed while writing its last snapshot, then resumed.
    fs::remove_all(dir + "/cut");
    const Child cut =
        run_child(program_, {"run", scenario, "--out", dir + "/cut", "--fast", "--quiet"},
                  dir + "/cut.log", fmt::format("EVOSTREAM_KILL_IN_SNAPSHOT={}", n));
    const Child resumed =
        run_child(program_, {"resume", dir + "/cut", "--quiet"}, dir + "/resume.log");
    if (cut.status != 128 + SIGKILL || resumed.status != 0)
      throw std::runtime_error(
          fmt::format("bench scaling: the {}-task resume failed; see {}/resume.log", n, dir));
    Point p;
    p.tasks = n;
    p.stream_seconds = r.stream_seconds;
    p.train_seconds = r.train_seconds;
    p.evaluation_seconds = r.evaluation_seconds;
    p.orchestration_seconds = r.orchestration_seconds;
    p.snapshot_seconds = r.snapshot_seconds;
    p.snapshot_bytes = r.snapshot_bytes;
    p.max_rss_mb = whole.max_rss_mb;
    p.store_params = r.store_params;
    p.resume_seconds = resumed.seconds;
    p.simulated = r.simulated;
    std::ifstream events(dir + "/run/events.jsonl");
    const Pace pace = TaskCountBench::pace(events);
    p.end_ms_per_task = pace.end_ms;
    p.at_100_ms_per_task = pace.at_100_ms;
    p.streaming_rss_mb = pace.streaming_rss_mb;
    out << fmt::format(
        "  {} tasks{}: {:.1f} s streaming ({:.1f} s training{}, {:.1f} s evaluating), "
        "orchestration {:.2f} ms per task (median {:.2f} ms per task over the last tenth{}), "
        "evaluation "
        "{:.1f} ms per task, snapshots {:.1f} kB and {:.2f} ms per task, peak RSS {:.0f} MB "
        "while streaming ({:.0f} MB with results and report) for {} parameters, resume {:.2f} "
        "s\n",
        n, p.simulated ? " (simulated)" : "", p.stream_seconds, p.train_seconds,
        p.simulated ? " virtual" : "", p.evaluation_seconds,
        1000.0 * p.orchestration_seconds / static_cast<double>(n), p.end_ms_per_task,
        p.at_100_ms_per_task > 0
            ? fmt::format(", {:.2f} ms at tasks 100 to 199 of the same run: {:.2f}×",
                          p.at_100_ms_per_task, p.end_ms_per_task / p.at_100_ms_per_task)
            : std::string(),
        1000.0 * p.evaluation_seconds / static_cast<double>(n),
        static_cast<double>(p.snapshot_bytes) / 1000.0 / static_cast<double>(n),
        1000.0 * p.snapshot_seconds / static_cast<double>(n), p.streaming_rss_mb, p.max_rss_mb,
        p.store_params, p.resume_seconds);
    out.flush();
    points.push_back(p);
  }
  return points;
}

}  // namespace evostream::app
