#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "gateway/event_feed.hpp"
#include "gateway/http_server.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using evostream::gateway::EventFeed;
using evostream::gateway::EventStream;
using evostream::gateway::HttpRequest;
using evostream::gateway::HttpResponse;
using evostream::gateway::HttpServer;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

TEST_CASE("The event feed numbers events and hands out those after an id", "[gateway][events]") {
  EventFeed feed(3);
  CHECK(feed.last_id() == 0);
  CHECK(feed.after(0, 0ms).events.empty());
  for (int i = 1; i <= 5; ++i)
    feed.publish("{\"n\":" + std::to_string(i) + "}");
  CHECK(feed.last_id() == 5);
  // Only the latest three are kept: a client at 0 is told it missed two.
  const EventFeed::Batch from_start = feed.after(0, 0ms);
  CHECK(from_start.missed == 2);
  REQUIRE(from_start.events.size() == 3);
  CHECK(from_start.events[0].id == 3);
  CHECK(from_start.events[2].json == "{\"n\":5}");
  const EventFeed::Batch later = feed.after(4, 0ms);
  CHECK(later.missed == 0);
  REQUIRE(later.events.size() == 1);
  CHECK(later.events[0].id == 5);
  CHECK(feed.after(0, 0ms, 2).events.size() == 2);
}

TEST_CASE("Events skipped as history move the next id on", "[gateway][events]") {
  EventFeed feed(2);
  feed.publish("{\"kept\":false}");
  feed.skip(10);
  feed.publish("{\"n\":12}");
  CHECK(feed.last_id() == 12);
  const EventFeed::Batch batch = feed.after(0, 0ms);
  CHECK(batch.missed == 11);
  REQUIRE(batch.events.size() == 1);
  CHECK(batch.events[0].id == 12);
  CHECK(feed.capacity() == 2);
  // Nothing kept after a skip: a reader is told what it missed and moves past it, not stuck.
  EventFeed bare;
  bare.skip(5);
  CHECK(bare.after(0, 0ms).missed == 5);
  EventStream stream(bare, 0, 1h);
  CHECK(*stream() == ": missed 5 events\n\n");
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(*stream() == "");  // waited for an event that did not come
  CHECK(std::chrono::steady_clock::now() - t0 >= 200ms);
}

TEST_CASE("A wait on the event feed ends with the next event or when the feed closes",
          "[gateway][events]") {
  EventFeed feed;
  std::thread publisher([&] {
    std::this_thread::sleep_for(50ms);
    feed.publish("{}");
  });
  const auto t0 = std::chrono::steady_clock::now();
  const EventFeed::Batch got = feed.after(0, 10s);
  publisher.join();
  CHECK(got.events.size() == 1);
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  std::thread closer([&] {
    std::this_thread::sleep_for(50ms);
    feed.close();
  });
  CHECK(feed.after(1, 10s).events.empty());
  closer.join();
  CHECK(feed.closed());
}

TEST_CASE("An event stream frames events as server-sent events and ends with a closed feed",
          "[gateway][events]") {
  EventFeed feed(2);
  feed.publish("{\"a\":1}");
  feed.publish("{\"a\":2}");
  feed.publish("{\"a\":3}");
  EventStream stream(feed, 0, 0ms);
  const auto first = stream();
  REQUIRE(first);
  CHECK(*first == ": missed 1 events\n\nid: 2\ndata: {\"a\":2}\n\nid: 3\ndata: {\"a\":3}\n\n");
  // Nothing new: a heartbeat comment (the heartbeat here is immediate).
  const auto idle = stream();
  REQUIRE(idle);
  CHECK(*idle == ": keep-alive\n\n");
  feed.close();
  CHECK_FALSE(stream());
}

TEST_CASE("The HTTP server streams a response as it comes and stops it when it stops",
          "[gateway][http][events]") {
  EventFeed feed;
  feed.publish("{\"event\":\"first\"}");
  auto server = std::make_unique<HttpServer>(
      "127.0.0.1", 0, evostream::gateway::HttpLimits{}, [&](const HttpRequest& r) {
        HttpResponse answer{200, "text/event-stream", ""};
        const int64_t after = r.last_event_id.empty() ? 0 : std::stoll(r.last_event_id);
        answer.stream = EventStream(feed, after);
        return answer;
      });
  asio::io_context io;
  tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  asio::write(s, asio::buffer(std::string("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::string got;
  asio::read_until(s, asio::dynamic_buffer(got), "\"first\"}\n\n");
  CHECK_THAT(got, StartsWith("HTTP/1.1 200 OK"));
  CHECK_THAT(got, Contains("Content-Type: text/event-stream"));
  CHECK_THAT(got, Contains("id: 1\ndata: {\"event\":\"first\"}\n\n"));
  CHECK(got.find("Content-Length") == std::string::npos);
  // An event published later reaches the open connection.
  feed.publish("{\"event\":\"second\"}");
  asio::read_until(s, asio::dynamic_buffer(got), "\"second\"}\n\n");
  CHECK_THAT(got, Contains("id: 2\ndata: {\"event\":\"second\"}"));

  // A client back with Last-Event-ID gets only what came after it.
  tcp::socket again(io);
  again.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  asio::write(
      again,
      asio::buffer(std::string("GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1\r\n\r\n")));
  std::string replayed;
  asio::read_until(again, asio::dynamic_buffer(replayed), "\"second\"}\n\n");
  CHECK(replayed.find("\"first\"") == std::string::npos);

  // Stopping the server ends both streams: the clients read to the end.
  const auto t0 = std::chrono::steady_clock::now();
  server.reset();
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  boost::system::error_code ec;
  std::string rest;
  asio::read(s, asio::dynamic_buffer(rest), ec);
  CHECK(ec == asio::error::eof);
}
