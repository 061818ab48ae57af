#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "gateway/http_server.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using evostream::gateway::HttpLimits;
using evostream::gateway::HttpRequest;
using evostream::gateway::HttpResponse;
using evostream::gateway::HttpServer;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Sends `bytes` on a new connection and returns everything the server answers until it closes
// the connection.
std::string exchange(uint16_t port, const std::string& bytes) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(s, asio::buffer(bytes));
  std::string answer;
  boost::system::error_code ec;
  asio::read(s, asio::dynamic_buffer(answer), ec);
  return answer;
}

HttpServer::Handler echo() {
  return [](const HttpRequest& r) {
    return HttpResponse{200, "text/plain",
                        r.method + " " + r.target + " [" + r.authorization + "] [" +
                            r.content_type + "] " + r.body};
  };
}

}  // namespace

TEST_CASE("The HTTP server hands each request to its handler and answers with its response",
          "[gateway][http]") {
  HttpServer server("127.0.0.1", 0, {}, echo());
  REQUIRE(server.port() > 0);
  const std::string answer =
      exchange(server.port(),
               "POST /tasks?x=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Type: "
               "application/json\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody");
  CHECK_THAT(answer, StartsWith("HTTP/1.1 200 OK"));
  CHECK_THAT(answer, Contains("POST /tasks?x=1 [Bearer k] [application/json] body"));
  // Two requests on one connection (keep-alive), the second closing it.
  const std::string two = exchange(
      server.port(),
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK_THAT(two, Contains("GET /a [] []"));
  CHECK_THAT(two, Contains("GET /b [] []"));
}

TEST_CASE("Requests over the limits or malformed are answered without the handler",
          "[gateway][http]") {
  HttpLimits limits;
  limits.body_bytes = 100;
  limits.header_bytes = 256;
  int calls = 0;
  HttpServer server("127.0.0.1", 0, limits, [&](const HttpRequest&) {
    ++calls;
    return HttpResponse{};
  });
  CHECK_THAT(exchange(server.port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n" +
                                         std::string(101, 'x')),
             StartsWith("HTTP/1.1 413"));
  CHECK_THAT(exchange(server.port(),
                      "GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + std::string(300, 'a') + "\r\n\r\n"),
             StartsWith("HTTP/1.1 431"));
  const std::string garbage = exchange(server.port(), "NOT HTTP AT ALL\r\n\r\n");
  CHECK_THAT(garbage, StartsWith("HTTP/1.1 400"));
  CHECK_THAT(garbage, Contains("malformed request"));
  CHECK(calls == 0);
}

TEST_CASE("A handler's exception is a 500 with its message, and the server goes on",
          "[gateway][http]") {
  HttpServer server("127.0.0.1", 0, {}, [](const HttpRequest& r) -> HttpResponse {
    if (r.target == "/boom")
      throw std::runtime_error("it broke");
    return {200, "text/plain", "fine"};
  });
  const std::string boom =
      exchange(server.port(), "GET /boom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK_THAT(boom, StartsWith("HTTP/1.1 500"));
  CHECK_THAT(boom, Contains("it broke"));
  CHECK_THAT(exchange(server.port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
             Contains("fine"));
}

TEST_CASE("A silent client is dropped after the idle time, and extra connections get 503",
          "[gateway][http]") {
  HttpLimits limits;
  limits.connections = 1;
  limits.idle = std::chrono::seconds(1);
  HttpServer server("127.0.0.1", 0, limits, echo());
  asio::io_context io;
  tcp::socket silent(io);
  silent.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  // Wait until the server counts it, then a second connection is refused.
  for (int i = 0; i < 100 && server.connections() < 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(server.connections() == 1);
  CHECK_THAT(exchange(server.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
             StartsWith("HTTP/1.1 503"));
  // The silent one is closed by the server after about a second.
  std::string rest;
  boost::system::error_code ec;
  const auto t0 = std::chrono::steady_clock::now();
  asio::read(silent, asio::dynamic_buffer(rest), ec);
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(ec);
  CHECK(waited < 10.0);
  for (int i = 0; i < 100 && server.connections() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK_THAT(exchange(server.port(), "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
             Contains("GET /ok"));
}

TEST_CASE("A server that cannot listen says where", "[gateway][http]") {
  HttpServer first("127.0.0.1", 0, {}, echo());
  CHECK_THROWS_WITH(HttpServer("127.0.0.1", first.port(), {}, echo()),
                    Contains("cannot listen on 127.0.0.1:" + std::to_string(first.port())));
  CHECK_THROWS_WITH(HttpServer("not-an-address", 0, {}, echo()),
                    Contains("expected an IP address"));
}

TEST_CASE("A request being answered when the server stops still gets its answer",
          "[gateway][http]") {
  std::mutex m;
  std::condition_variable cv;
  bool entered = false;
  bool released = false;
  auto server = std::make_unique<HttpServer>("127.0.0.1", 0, HttpLimits{}, [&](const HttpRequest&) {
    std::unique_lock<std::mutex> lock(m);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return released; });
    return HttpResponse{202, "application/json", "{\"stopping\": true}"};
  });
  std::string answer;
  // Keep-alive asked: the answer must close the connection, the server being on its way out.
  std::thread client([&, port = server->port()] {
    answer = exchange(port, "POST /shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  });
  {
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return entered; });
  }
  // The server is stopped (as `serve` does after POST /shutdown) while the handler runs.
  std::thread stopper([&] { server.reset(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  {
    std::lock_guard<std::mutex> lock(m);
    released = true;
  }
  cv.notify_all();
  stopper.join();
  client.join();
  CHECK_THAT(answer, StartsWith("HTTP/1.1 202"));
  CHECK_THAT(answer, Contains("Connection: close"));
  CHECK_THAT(answer, Contains("{\"stopping\": true}"));
}
