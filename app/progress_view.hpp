#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace evostream::app {

/// How a run shows its progress.
enum class ProgressMode {
  /// A terminal: one live line per active task, redrawn in place; commits stay as lines.
  kTerminal,
  /// Plain lines, one per event (output that is not a terminal: logs, pipes).
  kLog,
  /// Only the final summary, or how to resume an interrupted run.
  kQuiet,
  /// Every event as one JSON object per line, nothing else.
  kJson,
};

/// Renders a run's events (the JSON objects of `events.jsonl`) for a person or a script.
///
/// Events are objects with an `event` key; `docs/formats.md` ("Events") lists them. The
/// terminal mode keeps live lines below the permanent ones and redraws them in place: the
/// stream's (a bar of task visits done, elapsed, ETA), then one per task in progress (a bar of
/// candidates done, generation, best candidate's validation accuracy, elapsed, ETA), or the
/// root's training (a bar of steps, validation accuracy, elapsed, ETA). `tick` redraws them so
/// elapsed time moves between events; with `verbose`, the candidates' lines are kept too. Lines
/// are made to fit 80 columns and cut to the terminal's width. Safe to call from several threads.
class ProgressView {
 public:
  using Json = nlohmann::ordered_json;
  using Clock = std::chrono::steady_clock;

  /// `columns`: the terminal's width, to which live lines are cut (terminal mode only);
  /// `command`: the program as the user invoked it, in the commands it prints; `verbose`: the
  /// terminal mode also keeps a line per candidate.
  ProgressView(ProgressMode mode, std::ostream& out, int columns = 100,
               std::string command = "evostream", bool verbose = false);

  /// The mode for the flags `--quiet` and `--json` and whether stdout is a terminal.
  static ProgressMode choose(bool quiet, bool json, bool terminal);

  /// Shows one event.
  void show(const Json& event);
  /// Redraws the live lines (terminal mode; nothing otherwise).
  void tick();
  /// Clears the live lines, e.g. before the program prints something else.
  void close();

  ProgressMode mode() const { return mode_; }

  /// The live line of a task: what the terminal mode shows, before cutting to width.
  struct Live {
    std::string task;
    int64_t index = 0;
    int64_t tasks = 0;
    int64_t generation = 0;
    int64_t generations = 1;
    int64_t done = 0;
    int64_t total = 1;
    double best_score = -1.0;
    /// The validation accuracy of the best-scoring candidate so far; -1 before the first.
    double best_quality = -1.0;
    Clock::time_point started;
  };
  /// The text of `live` at `now`, with an ETA from its candidates so far or, before the first,
  /// from `typical_seconds` (the mean time of the tasks committed before; 0 when none).
  static std::string live_line(const Live& live, Clock::time_point now, double typical_seconds);
  /// The stream's line: `done` of `total` task visits, `elapsed` seconds since the run started
  /// (or resumed) with `done_at_start` already done; the ETA extrapolates from the visits done
  /// since, else from `typical_seconds` per visit.
  static std::string stream_line(int64_t done, int64_t total, int64_t done_at_start, double elapsed,
                                 double typical_seconds);
  /// `fraction` (0..1) as a bar of `width` cells: `[#####.....]`.
  static std::string bar(double fraction, int width = 10);
  /// `seconds` as `42 s`, `3m05s` or `1h02m`.
  static std::string duration(double seconds);

 private:
  void show_log(const Json& event);
  void show_terminal(const Json& event);
  void show_quiet(const Json& event);
  // The lines every text mode prints for these events.
  std::string text_of(const Json& event) const;
  std::string summary_of(const Json& event) const;
  void erase_live();
  void draw_live();

  ProgressMode mode_;
  std::ostream& out_;
  int columns_;
  std::string command_;
  bool verbose_ = false;
  // The stream's progress: visits done and in all, and when the run started.
  int64_t events_done_ = 0;
  int64_t events_total_ = 0;
  int64_t events_at_start_ = 0;
  bool streaming_ = false;
  Clock::time_point stream_started_;
  // The root's training: the first step seen and its time (event seconds), for the ETA.
  int64_t root_first_step_ = -1;
  double root_first_time_ = 0.0;
  std::mutex mutex_;
  std::map<std::string, Live> live_;
  std::string transient_;
  size_t drawn_ = 0;
  double committed_seconds_ = 0.0;
  int64_t committed_ = 0;
};

}  // namespace evostream::app
