#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "app/compare_command.hpp"
#include "app/replay_command.hpp"
#include "app/search_history.hpp"
#include "report/confusion_chart.hpp"
#include "report/model_graph.hpp"
#include "report/report_page.hpp"
#include "report/search_chart.hpp"
#include "report/svg_charts.hpp"
#include "support/test_files.hpp"

using namespace evostream;
using namespace evostream::app;
using namespace evostream::report;
using Catch::Matchers::Contains;

namespace {

// How often `needle` occurs in `text`.
size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

// Two tasks: `a` owns an adapter and a head, `b` reuses a's adapter and owns a head.
model::RunResults two_tasks(const std::string& strategy = "mu2net") {
  model::RunResults r;
  r.scenario = "s";
  r.strategy = strategy;
  r.seed = 1;
  r.complete = true;
  r.events_done = r.events_total = 2;
  r.store_params = 1000;
  r.store_hash = "store";
  r.state_hash = "state";
  r.matrix = model::AccuracyMatrix({"a", "b<&>"});
  r.matrix.add_row(0, {0.5, {}});
  r.matrix.add_row(1, {0.5, 0.75});
  r.tasks.resize(2);
  r.tasks[0].name = "a";
  r.tasks[0].test_accuracy = 0.5;
  r.tasks[0].params_added = 100;
  r.tasks[0].path.name = "a@0.0.0";
  r.tasks[0].path.ids = {"root/patch_embedding", "a/adapter0@0.0.0", "root/block0", "a/head@0.0.0"};
  r.tasks[1].name = "b<&>";
  r.tasks[1].test_accuracy = 0.75;
  r.tasks[1].params_added = 50;
  r.tasks[1].path.name = "b@0.1.0";
  r.tasks[1].path.ids = {"root/patch_embedding", "a/adapter0@0.0.0", "root/block0", "root/block1",
                         "b<&>/head@0.1.0"};
  return r;
}

}  // namespace

TEST_CASE("The model graph merges the paths' slots in forward order", "[app]") {
  const ModelGraph g(two_tasks());
  CHECK(g.slots() ==
        std::vector<std::string>{"patch_embedding", "adapter0", "block0", "block1", "head"});
  REQUIRE(g.nodes().size() == 6);
  const auto& adapter = g.nodes()[1];
  CHECK(adapter.id == "a/adapter0@0.0.0");
  CHECK(adapter.owner == "a");
  CHECK(adapter.users == std::vector<std::string>{"a", "b<&>"});
  CHECK(g.owner_index("root") == 0);
  CHECK(g.owner_index("b<&>") == 2);
  // Both heads stack in the head column, a's first.
  CHECK(g.nodes()[3].column == g.nodes()[5].column);
  CHECK(g.nodes()[3].row == 0);
  CHECK(g.nodes()[5].row == 1);
}

TEST_CASE("The model graph draws its paths above the boxes, from edge to edge", "[app]") {
  const std::string svg = ModelGraph(two_tasks()).svg();
  const auto last_box = svg.rfind("class=\"component\"");
  const auto first_path = svg.find("class=\"task-path\"");
  REQUIRE(last_box != std::string::npos);
  REQUIRE(first_path != std::string::npos);
  CHECK(first_path > last_box);
  CHECK(occurrences(svg, "class=\"task-path\"") == 2);
  // The first segments leave the patch embedding's right edge (x 10 + 96) for the adapter's
  // left edge (x 10 + 116).
  CHECK_THAT(svg, Contains("class=\"task-path\" d=\"M106.0,") && Contains(" L126.0,"));
}

TEST_CASE("The DOT export has a node per component and a coloured edge chain per task", "[app]") {
  const std::string dot = ModelGraph(two_tasks()).dot();
  CHECK_THAT(dot, Contains("digraph model {"));
  CHECK_THAT(dot, Contains("n1 [label=\"adapter0\\na (2 tasks)\", fillcolor=\"" +
                           ModelGraph::colour(1) + "\""));
  CHECK_THAT(dot, Contains("n0 -> n1 [color=\"" + ModelGraph::colour(2) +
                           "\", tooltip=\"b&lt;&amp;&gt;\"]"));
  CHECK_THAT(dot, Contains("subgraph slot_4 { rank=same; n3; n5; }"));
  // The legend: a swatch per owner, the root's first.
  CHECK_THAT(dot, Contains("subgraph cluster_legend {") &&
                      Contains("legend_root [label=\"root\", fillcolor=\"" + ModelGraph::colour(0) +
                               "\"]") &&
                      Contains("legend_1 [label=\"b&lt;&amp;&gt;\", fillcolor=\"" +
                               ModelGraph::colour(2) + "\"]") &&
                      Contains("legend_root -> legend_0 -> legend_1 [style=invis]"));
}

TEST_CASE("Chart ticks are round and cover the data", "[app]") {
  CHECK(SvgCharts::ticks(0.0, 1.0) ==
        std::vector<double>{0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0});
  const auto t = SvgCharts::ticks(0.0, 138749.0);
  CHECK(t.front() == 0.0);
  CHECK(t.back() >= 138749.0);
  CHECK(t.size() <= 7);
  const auto negative = SvgCharts::ticks(-0.3, 0.1);
  CHECK(negative.front() <= -0.3);
  CHECK(SvgCharts::count(138749) == "139k");
  CHECK(SvgCharts::count(1942482) == "1.94M");
  CHECK(SvgCharts::blue(0.0) == "#f7fbff");
  CHECK(SvgCharts::blue(1.0) == "#08306b");
}

TEST_CASE("Report figures round halves alike and label short times", "[app]") {
  using evostream::report::SvgCharts;
  // 0.4125 × 100 is 41.2499… in binary; the table's 41.25 and 61.25 both read as x.3.
  CHECK(SvgCharts::percent(0.4125) == "41.3%");
  CHECK(SvgCharts::percent(0.6125) == "61.3%");
  CHECK(SvgCharts::rounded(-0.25, 1) == "-0.3");
  CHECK(SvgCharts::rounded(-0.0001, 1) == "0.0");
  CHECK(SvgCharts::seconds(0.05) == "0.05 s");
  CHECK(SvgCharts::seconds(0.0) == "0 s");
  CHECK(SvgCharts::seconds(42.4) == "42 s");
}

TEST_CASE("Accuracy scales are fixed at 0–100% and every compared run is drawn", "[app]") {
  using evostream::report::SvgCharts;
  // Accuracies of 50 and 75%: the bars' axis still runs to 100%, and the heat map's colours
  // start at 0 (white), not at the run's lowest accuracy.
  const std::string page =
      ReportPage::html(two_tasks(), {two_tasks("finetune")}, {"mu2net", "finetune"}, "runs/x");
  const auto bars = page.substr(page.find("id=\"task-accuracy\""));
  CHECK_THAT(bars.substr(0, bars.find("</svg>")), Contains(">100.0%</text>"));
  const std::string heat = SvgCharts::heat_map("m", two_tasks().matrix);
  CHECK_THAT(heat, Contains("white 0 → dark blue 100"));
  CHECK_THAT(heat, Contains(SvgCharts::blue(0.5)));  // a 50% cell is mid-blue
  // The note fits the drawing: its width grows with the note, not only the cells.
  const auto width = std::stod(heat.substr(heat.find("width=\"") + 7));
  CHECK(width >= 20 + 6.5 * std::string("Test accuracy %: white 0 → dark blue 100; grey: not "
                                        "learned yet.")
                                .size());
  // Beside another run, the parameter chart has a series for each.
  const auto params = page.substr(page.find("id=\"task-params\""));
  CHECK_THAT(params.substr(0, params.find("</svg>")),
             Contains("mu2net · accounted") && Contains("finetune · accounted"));
}

TEST_CASE("The report has every plot, escapes names and loads nothing from outside", "[app]") {
  const std::string html =
      ReportPage::html(two_tasks(), {two_tasks("finetune")}, {"mu2net", "finetune"}, "runs/x");
  for (const char* id : {"accuracy-matrix", "average-accuracy", "task-accuracy", "task-params",
                         "cumulative-params", "task-seconds", "model-graph"}) {
    INFO(id);
    CHECK_THAT(html, Contains(std::string("<svg id=\"") + id + "\""));
  }
  CHECK_THAT(html, Contains("b&lt;&amp;&gt;"));
  CHECK(html.find("b<&>") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("href=") == std::string::npos);
  CHECK_THAT(html, Contains("<h2>Runs compared</h2>"));
  CHECK_THAT(html, Contains("finetune · b&lt;&amp;&gt;: 75.0%"));
  // The store grows from the root (1000 − 150) by each task's additions.
  CHECK_THAT(html, Contains("mu2net · a: 950"));
  CHECK_THAT(html, Contains("mu2net · b&lt;&amp;&gt;: 1k"));
  CHECK(html.find("not complete") == std::string::npos);

  CHECK(html.find("is not immutable") == std::string::npos);

  // A strategy whose old tasks' predictions changed is said to be not immutable.
  model::RunResults forgetting = two_tasks("ewc");
  forgetting.tasks[0].predictions_identical = false;
  CHECK_THAT(ReportPage::html(forgetting, {}, {}, "runs/x"),
             Contains("Old tasks' predictions changed (1 of 2 tasks): ewc is not immutable"));

  model::RunResults partial = two_tasks();
  partial.complete = false;
  partial.events_done = 1;
  CHECK_THAT(ReportPage::html(partial, {}, {}, "runs/x"),
             Contains("This run is not complete: 1 of 2 task visits were committed"));
}

TEST_CASE("The report draws the average accuracy after each task visit", "[app]") {
  // two_tasks: after a, {a: 50%}; after b, {a: 50%, b: 75%}.
  const std::string page = ReportPage::html(two_tasks(), {}, {}, "runs/x");
  const auto chart = page.substr(page.find("<svg id=\"average-accuracy\""));
  const std::string svg = chart.substr(0, chart.find("</svg>"));
  CHECK_THAT(svg, Contains("after a: 50.0%") && Contains("after b&lt;&amp;&gt;: 62.5%"));
  CHECK_THAT(svg, Contains(">100.0%</text>"));  // the fixed 0–100% scale
}

TEST_CASE("The report lists each committed path's recipe, extras included", "[app]") {
  model::RunResults r = two_tasks();
  r.tasks[1].path.recipe.learning_rate = 0.0125;
  r.tasks[1].path.recipe.schedule = model::Schedule::kRestarts;
  r.tasks[1].path.recipe.flip = true;
  r.tasks[1].path.recipe.image_size = 16;
  r.tasks[1].path.recipe.set_extra("adapter_dim", 64, true);
  const std::string page = ReportPage::html(r, {}, {}, "runs/x");
  const auto table = page.substr(page.find("<table id=\"recipes\">"));
  CHECK_THAT(table, Contains("<th>learning_rate</th><th>schedule</th>"));
  CHECK_THAT(table, Contains("<tr><td>a</td><td>0.01</td><td>cosine</td>"));
  CHECK_THAT(table, Contains("<tr><td>b&lt;&amp;&gt;</td><td>0.0125</td><td>restarts</td>"));
  CHECK_THAT(table, Contains("<td>16</td><td>1</td><td>yes</td>"));
  // An extra only b has is a column; a's cell in it is a dash.
  CHECK_THAT(table,
             Contains("<th>contrast</th><th>objective</th><th>optimizer</th><th>adapter_dim</th>"
                      "</tr>"));
  CHECK_THAT(table, Contains("<td>cross-entropy</td><td>trainer's</td><td>—</td></tr>"));
  CHECK_THAT(table, Contains("<td>cross-entropy</td><td>trainer's</td><td>64</td></tr>"));
  // A task without a path (not learned) has no row.
  r.tasks[1].path.ids.clear();
  const std::string fewer = ReportPage::html(r, {}, {}, "runs/x");
  CHECK(fewer.find("<tr><td>b&lt;&amp;&gt;</td><td>0.0125") == std::string::npos);
}

TEST_CASE("Expert usage is drawn per task, layer and expert, with unequal expert counts", "[app]") {
  model::RunResults r = two_tasks("mod-squad");
  r.tasks[0].expert_usage = {{0.5, 0.5}};
  r.tasks[1].expert_usage = {{0.25, 0.25, 0.5}};
  const std::string page = ReportPage::html(r, {}, {}, "runs/x");
  CHECK_THAT(page, Contains("<svg id=\"expert-usage\""));
  CHECK_THAT(page, Contains("<title>a, L1 e2: none</title>"));  // a's router had 2 experts
  CHECK_THAT(page, Contains("<title>b&lt;&amp;&gt;, L1 e2: 0.500</title>"));
  CHECK(ReportPage::html(two_tasks(), {}, {}, "runs/x").find("expert-usage") == std::string::npos);
  CHECK_THAT(page, Contains("every layer mixes MLP experts"));
  // With attention mixtures the note names their layers.
  r.tasks[0].expert_usage = {{0.5, 0.5}, {1.0}};
  r.tasks[1].expert_usage = {{0.25, 0.25, 0.5}, {0.5, 0.5}};
  r.tasks[0].expert_layers = r.tasks[1].expert_layers = {"attention", "mlp"};
  CHECK_THAT(ReportPage::html(r, {}, {}, "runs/x"),
             Contains("L1 mixes attention experts (query and output projections), the others "
                      "MLP experts"));
}

TEST_CASE("A search chart links each candidate to its parent and rings the committed one",
          "[app][search]") {
  const auto point = [](std::string name, std::string parent, int64_t generation, double quality,
                        double score, bool kept, int64_t trained) {
    model::CandidateRecord r;
    r.name = std::move(name);
    r.parent = std::move(parent);
    r.generation = generation;
    r.quality = quality;
    r.score = score;
    r.kept = kept;
    r.trained_params = trained;
    return r;
  };
  const std::vector<model::CandidateRecord> points = {
      point("t@0.0.0", "root", 0, 0.5, 0.5, true, 10),
      point("t@0.0.1", "u@0.1.0", 0, 0.25, 0.2, false, 20),
      point("t@0.1.0", "t@0.0.0", 1, 0.75, 0.7, true, 30)};
  std::vector<model::CandidateRecord> changed = points;
  changed[2].changes = {"learning_rate 0.01 → 0.02", "clone root/block0"};
  CHECK_THAT(search_chart("s", "t", changed, ""),
             Contains("trained, kept; learning_rate 0.01 → 0.02, clone root/block0</title>"));
  const std::string svg = search_chart("search-0", "t<1>", points, "t@0.1.0");
  CHECK_THAT(svg, Contains("<svg id=\"search-0\""));
  CHECK_THAT(svg, Contains("aria-label=\"search of t&lt;1&gt;\""));
  // Two seed paths, three candidates, a parent line each.
  CHECK_THAT(svg, Contains("<title>seed path root</title>") &&
                      Contains("<title>seed path u@0.1.0</title>"));
  CHECK(occurrences(svg, "class=\"parent\"") == 3);
  CHECK_THAT(svg, Contains("<title>t@0.1.0 ← t@0.0.0: 75.0% validation, score 0.7000, 30 "
                           "parameters trained, kept, committed</title>"));
  CHECK_THAT(svg, Contains("stroke=\"#cc0000\""));
  CHECK_THAT(svg, Contains("t@0.0.1 ← u@0.1.0: 25.0% validation, score 0.2000, 20 parameters "
                           "trained, dropped</title>"));
}

TEST_CASE("The searches come from the events of each task's latest visit, the last tasks only",
          "[app][search]") {
  testing::TempDir d;
  const std::string events = d.file("events.jsonl");
  testing::write_text(events,
                      R"({"event":"task_started","task":"a"}
{"event":"candidate","task":"a","name":"a@0.0.0","parent":"root","generation":0,"quality":0.5,"score":0.5,"kept":true,"trained_params":3}
{"event":"task_started","task":"b"}
{"event":"candidate","task":"b","name":"b@0.0.0","parent":"root","generation":0,"quality":0.1,"score":0.1,"kept":false,"trained_params":1}
{"event":"task_started","task":"b"}
{"event":"candidate","task":"b","name":"b@0.0.1","parent":"a@0.0.0","generation":0,"quality":0.9,"score":0.9,"kept":true,"trained_params":2}
{"event":"candidate","task":"b","name":"b@0.1.0","par)");
  const auto both = read_searches(events, 6);
  REQUIRE(both.size() == 2);
  CHECK(both[0].first == "a");
  CHECK(both[0].second.size() == 1);
  CHECK(both[1].first == "b");
  REQUIRE(both[1].second.size() == 1);  // the visit done again, without the cut line
  CHECK(both[1].second[0].name == "b@0.0.1");
  CHECK(both[1].second[0].parent == "a@0.0.0");
  CHECK(both[1].second[0].kept);
  CHECK(both[1].second[0].trained_params == 2);
  const auto one = read_searches(events, 1);
  REQUIRE(one.size() == 1);
  CHECK(one[0].first == "b");
  CHECK(read_searches(d.file("none.jsonl"), 6).empty());
  // The report draws one chart per search.
  const std::string page = ReportPage::html(two_tasks(), {}, {}, "runs/x", {both, {}});
  CHECK_THAT(page, Contains("<h2>The search</h2>") && Contains("<svg id=\"search-1\""));
}

TEST_CASE("The committed candidates' training curves are drawn with each term of their loss",
          "[app][search]") {
  testing::TempDir d;
  const std::string events = d.file("events.jsonl");
  testing::write_text(events,
                      R"({"event":"task_started","task":"a"}
{"event":"candidate","task":"a","name":"a@0.0.1","parent":"root","generation":0,"quality":0.2,"score":0.2,"kept":false,"trained_params":3,"curve":{"validations":[{"step":10,"accuracy":0.2,"loss":2.0}],"losses":[]}}
{"event":"candidate","task":"a","name":"a@0.0.0","parent":"root","generation":0,"quality":0.5,"score":0.5,"kept":true,"trained_params":3,"curve":{"validations":[{"step":5,"accuracy":0.25,"loss":1.5},{"step":"ten","accuracy":1,"loss":1},{"step":10,"accuracy":0.5,"loss":0.75}],"losses":[{"step":5,"loss":1.5,"terms":{"cross-entropy":1.75,"mutual information":0.5}},{"step":10,"loss":0.75,"terms":{"cross-entropy":1.0,"mutual information":0.5,"bad":"x"}},{"loss":1}]}}
{"event":"task_started","task":"b<&>"}
{"event":"candidate","task":"b<&>","name":"b@0.1.0","parent":"a@0.0.0","generation":0,"quality":0.9,"score":0.9,"kept":true,"trained_params":2}
)");
  const auto searches = read_searches(events, 6);
  REQUIRE(searches.size() == 2);
  const model::TrainingCurve& committed = searches[0].second[1].curve;
  REQUIRE(committed.validations.size() == 2);  // the one whose step is not an integer left out
  CHECK(committed.validations[0].step == 5);
  CHECK(committed.validations[0].accuracy == 0.25);
  CHECK(committed.validations[1].loss == 0.75);
  REQUIRE(committed.losses.size() == 2);  // the one without a step left out
  CHECK(committed.losses[1].step == 10);
  CHECK(committed.losses[1].terms ==
        model::LossTerms{{"cross-entropy", 1.0}, {"mutual information", 0.5}});
  CHECK(searches[1].second[0].curve.validations.empty());  // recorded before curves were kept

  const std::string page = ReportPage::html(two_tasks(), {}, {}, "runs/x", {searches, {}});
  CHECK_THAT(page, Contains("<h2>Training of the committed candidates</h2>") &&
                       Contains("the committed candidate of each of the 1 task learned last") &&
                       Contains("<svg id=\"curve-accuracy\"") &&
                       Contains("<svg id=\"curve-loss\"") &&
                       Contains("<b>Loss term: cross-entropy</b>") &&
                       Contains("<b>Loss term: mutual information</b>") &&
                       Contains("<svg id=\"curve-term-1\""));
  // The committed candidate's points, not the dropped one's.
  CHECK_THAT(page, Contains("<title>a · 5: 25.0%</title>") &&
                       Contains("<title>a · 10: 50.0%</title>") &&
                       Contains("<title>a · 10: 0.750</title>"));
  CHECK_THAT(page, !Contains("<title>a · 10: 20.0%</title>"));
  // Nothing to draw without a committed candidate's curve.
  const auto without = read_searches(events, 1);
  CHECK_THAT(ReportPage::html(two_tasks(), {}, {}, "runs/x", {without, {}}),
             !Contains("Training of the committed candidates"));
}

TEST_CASE("The root's training is drawn from its root_trained event", "[app][search]") {
  testing::TempDir d;
  const std::string events = d.file("events.jsonl");
  testing::write_text(
      events,
      R"({"event":"root_trained","quality":0.5,"curve":{"validations":[{"step":50,"accuracy":0.25,"loss":2.0}],"losses":[{"step":25,"loss":2.5},{"step":50,"loss":1.5}]}}
{"event":"root_trained","quality":0.75,"curve":{"validations":[{"step":100,"accuracy":0.75,"loss":1.0}],"losses":[{"step":50,"loss":1.25},{"step":100,"loss":0.5}]}}
{"event":"task_started","task":"a"}
)");
  const ReportPage::History h = read_history(events, 6);
  REQUIRE(h.searches.size() == 1);
  REQUIRE(h.root.validations.size() == 1);  // the latest root training (a re-run root)
  CHECK(h.root.validations[0].step == 100);
  REQUIRE(h.root.losses.size() == 2);
  CHECK(h.root.losses[1].loss == 0.5);
  const std::string page = ReportPage::html(two_tasks(), {}, {}, "runs/x", h);
  CHECK_THAT(page, Contains("<h2>Training of the root</h2>") &&
                       Contains("<svg id=\"root-accuracy\"") &&
                       Contains("<title>root · 100: 75.0%</title>") &&
                       Contains("<title>root · 100: 0.500</title>"));
  CHECK_THAT(ReportPage::html(two_tasks(), {}, {}, "runs/x"), !Contains("Training of the root"));
  CHECK(read_history(d.file("none.jsonl"), 6).root.losses.empty());
}

TEST_CASE("The report shows forward transfer per task, its mean and why a task has none",
          "[app][report]") {
  model::TaskTransfer a;
  a.task = "b<&>";
  a.before = "a";
  a.root_probe = 0.625;
  a.before_probe = 0.75;
  model::TaskTransfer missing;
  missing.task = "c";
  missing.before = "b<&>";
  missing.missing = "expected 1 channel";
  const std::string page = ReportPage::html(two_tasks(), {}, {}, "runs/x", {}, {}, {a, missing});
  CHECK_THAT(page, Contains("<h2>Forward transfer</h2>") &&
                       Contains("Mean over the tasks measured: <b>+12.50 points</b>") &&
                       Contains("<tr><td>b&lt;&amp;&gt;</td><td>a</td><td>62.5%</td><td>75.0%</td>"
                                "<td>+12.50</td></tr>") &&
                       Contains("<td colspan=\"3\">not measured: expected 1 channel</td>") &&
                       Contains("aria-label"));
  CHECK_THAT(ReportPage::html(two_tasks(), {}, {}, "runs/x"), !Contains("Forward transfer"));
}

TEST_CASE("A confusion matrix counts predictions against labels and draws a row per class",
          "[app][confusion]") {
  const Confusion c =
      Confusion::of("t<1>", {"cat", "dog", "bird"}, {0, 0, 1, 1, 1, 2, 2}, {0, 1, 1, 1, 0, 2, 2});
  CHECK(c.counts == std::vector<std::vector<int64_t>>{{1, 1, 0}, {1, 2, 0}, {0, 0, 2}});
  CHECK(c.total() == 7);
  CHECK(c.right() == 5);
  CHECK(c.accuracy() == Approx(5.0 / 7.0));
  const std::string svg = confusion_chart("confusion-0", c);
  CHECK_THAT(svg, Contains("<svg id=\"confusion-0\"") &&
                      Contains("aria-label=\"confusion matrix of t&lt;1&gt;\""));
  CHECK(occurrences(svg, "class=\"cell\"") == 9);
  CHECK_THAT(svg, Contains("<title>true dog, predicted cat: 1 of 3 (33.3%)</title>") &&
                      Contains("<title>dog: 2 of 3 right</title>66.7%</text>") &&
                      Contains("<title>bird: 2 of 2 right</title>100.0%</text>"));
  // An empty row reads as no accuracy rather than 0%.
  const Confusion empty = Confusion::of("e", {"a", "b"}, {0}, {0});
  CHECK_THAT(confusion_chart("c", empty), Contains("<title>b: 0 of 0 right</title>–</text>"));
  const std::string page = ReportPage::html(two_tasks(), {}, {}, "runs/x", {}, {c});
  CHECK_THAT(page, Contains("<h2>Confusion matrix of t&lt;1&gt;</h2>") &&
                       Contains("(5 of 7 right, 71.4%)"));

  CHECK_THROWS_WITH(Confusion::of("t", {"a"}, {0, 0}, {0}),
                    Contains("task t: expected a prediction per label, found 2 labels and 1 "
                             "predictions"));
  CHECK_THROWS_WITH(Confusion::of("t", {"a", "b"}, {0, 2}, {0, 1}),
                    Contains("task t: image 1: expected a label and a prediction below 2 "
                             "classes, found 2 and 1"));
  CHECK_THROWS_WITH(Confusion::of("t", {"a", "b"}, {0}, {-1}), Contains("found 0 and -1"));
}

TEST_CASE("Runs are labelled by strategy, then seed, then directory", "[app]") {
  auto a = two_tasks();
  auto b = two_tasks();
  b.seed = 2;
  auto c = two_tasks("finetune");
  CHECK(ReportPage::labels({a, b, c}, {"x", "y", "z"}) ==
        std::vector<std::string>{"mu2net (seed 1)", "mu2net (seed 2)", "finetune"});
  CHECK(ReportPage::labels({a, a}, {"x", "y"}) ==
        std::vector<std::string>{"mu2net (x)", "mu2net (y)"});
}

TEST_CASE("compare puts runs side by side with per-task accuracies", "[app]") {
  const std::string table = CompareCommand::table({two_tasks(), two_tasks("finetune")}, {"x", "y"});
  CHECK_THAT(table, Contains("mu2net"));
  CHECK_THAT(table, Contains("finetune"));
  CHECK_THAT(table, Contains("test accuracy % per task"));
  CHECK_THAT(table, Contains("b<&>"));
  CHECK_THAT(table, Contains("75.00"));
}

TEST_CASE("compare gives seeds of one run their mean and spread, as a table, JSON or CSV",
          "[app]") {
  auto a = two_tasks();
  a.average_accuracy = 0.625;
  auto b = two_tasks();
  b.seed = 8;
  b.average_accuracy = 0.5;
  b.tasks[0].test_accuracy = 0.25;
  const std::vector<evostream::model::RunResults> runs{a, b, two_tasks("finetune")};
  const std::vector<std::string> dirs{"x", "y", "z"};
  const std::string table = CompareCommand::table(runs, dirs);
  // mu2net's two seeds form a group (62.50 and 50.00: mean 56.25, sample std 8.84); finetune
  // alone does not.
  CHECK_THAT(table, Contains("mean ± std (2 seeds)"));
  CHECK_THAT(table, Contains("56.25 ± 8.84"));
  CHECK_THAT(table, !Contains("(1 seeds)"));
  const auto json = nlohmann::json::parse(CompareCommand::json(runs, dirs));
  REQUIRE(json.at("runs").size() == 3);
  CHECK(json["runs"][1]["seed"] == 8);
  CHECK(json["runs"][1]["metrics"]["average_accuracy"] == 50.0);
  REQUIRE(json.at("groups").size() == 1);
  CHECK(json["groups"][0]["seeds"] == nlohmann::json::array({a.seed, 8}));
  CHECK(json["groups"][0]["mean"]["average_accuracy"] == Approx(56.25));
  CHECK(json["groups"][0]["std"]["average_accuracy"] == Approx(8.8388).epsilon(1e-3));
  const std::string csv = CompareCommand::csv(runs, dirs);
  CHECK_THAT(csv, Contains("metric,"));
  CHECK_THAT(csv, Contains("\naverage_accuracy,62.5,50,"));
  CHECK_THAT(csv, Contains("\"test_accuracy:b<&>\"") || Contains("test_accuracy:b<&>,"));
  CHECK(CompareCommand::warning(runs).empty());
  auto other = two_tasks();
  other.scenario = "elsewhere";
  CHECK_THAT(CompareCommand::warning({a, other}),
             Contains("the runs come from different scenarios (") && Contains("elsewhere"));
}

TEST_CASE("A replay that agrees has no divergence", "[app]") {
  CHECK_FALSE(ReplayCommand::divergence(two_tasks(), two_tasks()).has_value());
}

TEST_CASE("A replay names the first task visit that differs and why", "[app]") {
  auto other = two_tasks();
  other.matrix = model::AccuracyMatrix({"a", "b<&>"});
  other.matrix.add_row(0, {0.5, {}});
  other.matrix.add_row(1, {0.5, 0.7});
  other.tasks[1].path.name = "b@0.1.1";
  other.tasks[1].path.ids.pop_back();
  CHECK(ReplayCommand::divergence(two_tasks(), other) ==
        std::string("task visit 2 (b<&>): test accuracies differ (50.00 75.00 vs 50.00 70.00); "
                    "its committed path differs (b@0.1.0 vs b@0.1.1)"));

  auto predictions = two_tasks();
  predictions.tasks[0].predictions_hash = "ff";
  CHECK_THAT(*ReplayCommand::divergence(two_tasks(), predictions),
             Contains("task visit 1 (a): its test predictions differ"));

  auto store = two_tasks();
  store.store_hash = "other";
  CHECK_THAT(*ReplayCommand::divergence(two_tasks(), store), Contains("the stores differ"));

  auto shorter = two_tasks();
  shorter.matrix = model::AccuracyMatrix({"a", "b<&>"});
  shorter.matrix.add_row(0, {0.5, {}});
  CHECK_THAT(*ReplayCommand::divergence(two_tasks(), shorter),
             Contains("task visit 2: the recorded run has 2 visits, the replay 1"));
}

TEST_CASE("A long stream's report samples its per-task charts and leaves the graph out", "[app]") {
  model::RunResults r = two_tasks();
  std::vector<std::string> names;
  for (int i = 0; i < 450; ++i)
    names.push_back(fmt::format("t{:03d}", i));
  r.matrix = model::AccuracyMatrix(names);
  r.tasks.resize(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    r.tasks[i].name = names[i];
    r.tasks[i].test_accuracy = 0.5;
    r.tasks[i].params_added = 10;
    r.tasks[i].path.ids = {"root/patch_embedding", names[i] + "/head"};
  }
  const std::string page = ReportPage::html(r, {}, {}, "runs/long");
  CHECK_THAT(page, Contains("One task in every 3 of the 450 is drawn"));
  CHECK_THAT(page, Contains("Not drawn for 450 tasks"));
  CHECK_THAT(page, Contains("evostream report runs/long --dot"));
  // The table lists every task; the charts only every third.
  CHECK_THAT(page, Contains("<td>t448</td>"));
  CHECK_THAT(page, Contains("mu2net · t447: "));
  CHECK_THAT(page, !Contains("· t448: "));
  const std::string short_page = ReportPage::html(two_tasks(), {}, {}, "runs/short");
  CHECK_THAT(short_page, !Contains("is drawn"));
  CHECK_THAT(short_page, !Contains("Not drawn"));
}
