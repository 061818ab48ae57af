#include <catch2/catch.hpp>

#include "gateway/serve_state.hpp"

using Catch::Matchers::Contains;
using evostream::gateway::ServeState;
using Json = ServeState::Json;

TEST_CASE("A served run's tasks follow its events from queued to committed", "[gateway][state]") {
  ServeState s;
  s.add_task("a");
  s.add_task("b");
  s.add_task("a");  // known: left as it is
  REQUIRE(s.tasks().size() == 2);
  CHECK(s.task("a")->at("state") == "queued");
  CHECK_FALSE(s.task("zzz"));

  s.observe(Json{{"event", "task_started"}, {"task", "a"}});
  s.observe(Json{{"event", "candidate"}, {"task", "a"}, {"generation", 1}, {"seconds", 0.5}});
  s.observe(Json{{"event", "candidate"}, {"task", "a"}, {"generation", 2}, {"seconds", 0.25}});
  CHECK(s.task("a")->at("state") == "evolving");
  CHECK(s.task("a")->at("generation") == 2);
  CHECK(s.task("a")->at("candidates") == 2);
  CHECK(s.status().at("current_task") == "a");

  s.observe(Json{{"event", "task_committed"},
                 {"task", "a"},
                 {"accuracies", {{"a", 0.75}}},
                 {"average_accuracy", 0.75}});
  s.observe(Json{{"event", "snapshot"},
                 {"task", "a"},
                 {"path", "a:3"},
                 {"components", {"root:block0", "a:head"}},
                 {"params_added", 120}});
  const Json a = *s.task("a");
  CHECK(a.at("state") == "committed");
  CHECK(a.at("accuracy") == 0.75);
  CHECK(a.at("path") == "a:3");
  CHECK(a.at("components").size() == 2);
  CHECK(a.at("params_added") == 120);
  const Json status = s.status();
  CHECK(status.at("committed") == 1);
  CHECK(status.at("queued") == 1);
  CHECK(status.at("candidates_trained") == 2);
  CHECK(status.at("average_accuracy") == 0.75);
  CHECK_FALSE(status.contains("current_task"));
  CHECK(s.commits() == 1);
}

TEST_CASE("The metrics are Prometheus text with a cumulative latency histogram",
          "[gateway][state]") {
  ServeState s;
  s.add_task("a");
  s.request("GET /status", 200, 0.002);
  s.request("GET /status", 200, 0.5);
  s.request("POST /tasks", 400, 0.0001);
  const std::string m = s.metrics();
  CHECK_THAT(m, Contains("# TYPE evostream_http_request_seconds histogram"));
  CHECK_THAT(m, Contains("evostream_tasks{state=\"queued\"} 1"));
  CHECK_THAT(m, Contains("evostream_http_requests_total{route=\"GET /status\",code=\"200\"} 2"));
  CHECK_THAT(m, Contains("evostream_http_requests_total{route=\"POST /tasks\",code=\"400\"} 1"));
  CHECK_THAT(m, Contains("evostream_http_request_seconds_bucket{le=\"0.001\"} 1"));
  CHECK_THAT(m, Contains("evostream_http_request_seconds_bucket{le=\"0.0025\"} 2"));
  CHECK_THAT(m, Contains("evostream_http_request_seconds_bucket{le=\"1\"} 3"));
  CHECK_THAT(m, Contains("evostream_http_request_seconds_bucket{le=\"+Inf\"} 3"));
  CHECK_THAT(m, Contains("evostream_http_request_seconds_count 3"));
}

TEST_CASE("A task counts as committed only once its commit is measured and its snapshot written",
          "[gateway][state]") {
  ServeState s;
  s.add_task("a");
  s.observe(Json{{"event", "task_started"}, {"task", "a"}});
  // The snapshot may come first: the accuracy is not known yet.
  s.observe(Json{{"event", "snapshot"}, {"task", "a"}, {"path", "a:1"}, {"params_added", 5}});
  CHECK(s.task("a")->at("state") == "evolving");
  CHECK(s.commits() == 0);
  s.observe(Json{{"event", "task_committed"}, {"task", "a"}, {"accuracies", {{"a", 0.5}}}});
  CHECK(s.task("a")->at("state") == "committed");
  CHECK(s.task("a")->at("accuracy") == 0.5);
  CHECK(s.commits() == 1);
  // The average is the committed tasks' mean, whoever told their accuracy (here a resume).
  s.add_task("b");
  ServeState::Task b;
  b.name = "b";
  b.accuracy = 0.75;
  s.set_committed(b);
  CHECK(s.status().at("average_accuracy") == 0.625);
  // A second visit (a later round) starts over: the measure alone does not commit it.
  s.observe(Json{{"event", "task_started"}, {"task", "a"}});
  s.observe(Json{{"event", "task_committed"}, {"task", "a"}, {"accuracies", {{"a", 0.6}}}});
  CHECK(s.task("a")->at("state") == "evolving");
  s.observe(Json{{"event", "snapshot"}, {"task", "a"}, {"path", "a:2"}});
  CHECK(s.task("a")->at("path") == "a:2");
  CHECK(s.commits() == 2);
}

TEST_CASE("Why a task could not join the stream is in the status until the stream grows",
          "[gateway][state]") {
  ServeState s;
  s.add_task("a");
  CHECK_FALSE(s.status().contains("error"));
  s.observe(Json{{"event", "growth_failed"}, {"reason", "task \"a\" cannot join the stream: x"}});
  CHECK(s.status().at("error") == "task \"a\" cannot join the stream: x");
  s.observe(Json{{"event", "waiting_for_tasks"}, {"events_done", 0}});
  CHECK(s.status().contains("error"));
  s.observe(Json{{"event", "stream_grown"}, {"added", {"a"}}, {"tasks", 1}});
  CHECK_FALSE(s.status().contains("error"));
}
