#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>

#include "gateway/http_client.hpp"
#include "gateway/http_server.hpp"

using Catch::Matchers::Contains;
using evostream::gateway::HttpClient;
using evostream::gateway::HttpLimits;
using evostream::gateway::HttpRequest;
using evostream::gateway::HttpResponse;
using evostream::gateway::HttpServer;

namespace {

HttpRequest request(const std::string& method, const std::string& target, std::string body = "") {
  HttpRequest r;
  r.method = method;
  r.target = target;
  r.authorization = "Bearer k";
  r.content_type = body.empty() ? "" : "text/plain";
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST_CASE("The HTTP client keeps its connection from one request to the next", "[gateway][http]") {
  HttpServer server("127.0.0.1", 0, {}, [&](const HttpRequest& r) {
    return HttpResponse{201, "text/plain",
                        r.method + " " + r.target + " " + r.authorization + " " + r.body};
  });
  HttpClient client("127.0.0.1", server.port());
  const HttpResponse first = client.send(request("POST", "/a", "one"));
  CHECK(first.status == 201);
  CHECK(first.content_type == "text/plain");
  CHECK(first.body == "POST /a Bearer k one");
  CHECK(server.connections() == 1);
  CHECK(client.send(request("GET", "/b")).body == "GET /b Bearer k ");
  CHECK(server.connections() == 1);
}

TEST_CASE("The HTTP client opens a new connection once the server closed its own",
          "[gateway][http]") {
  HttpLimits limits;
  limits.idle = std::chrono::seconds(1);
  HttpServer server("127.0.0.1", 0, limits, [](const HttpRequest&) {
    return HttpResponse{200, "text/plain", "fine"};
  });
  HttpClient client("127.0.0.1", server.port());
  CHECK(client.send(request("GET", "/")).body == "fine");
  // The server drops the connection after a second without a request.
  for (int i = 0; i < 50 && server.connections() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(server.connections() == 0);
  CHECK(client.send(request("GET", "/")).body == "fine");
}

TEST_CASE("The HTTP client names the server it cannot reach", "[gateway][http]") {
  uint16_t port = 0;
  {
    HttpServer gone("127.0.0.1", 0, {}, [](const HttpRequest&) { return HttpResponse{}; });
    port = gone.port();
  }
  HttpClient client("127.0.0.1", port);
  CHECK_THROWS_WITH(client.send(request("GET", "/")),
                    Contains("cannot connect to http://127.0.0.1:" + std::to_string(port)));
  HttpClient nowhere("not-an-address", 80);
  CHECK_THROWS_WITH(nowhere.send(request("GET", "/")), Contains("expected an IP address"));
}

namespace {

// A server that answers the first request of each connection and closes the connection on the
// second without answering it; counts the connections and the requests it read.
class ForgetfulServer {
 public:
  ForgetfulServer() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] {
      for (;;) {
        boost::asio::ip::tcp::socket s(io_);
        boost::system::error_code ec;
        acceptor_.accept(s, ec);
        if (ec || stop_)
          return;
        ++connections_;
        std::string buffer;
        for (int n = 0;; ++n) {
          boost::asio::read_until(s, boost::asio::dynamic_buffer(buffer), "\r\n\r\n", ec);
          if (ec)
            break;
          buffer.erase(0, buffer.find("\r\n\r\n") + 4);
          ++requests_;
          if (n > 0)
            break;  // closes without an answer
          boost::asio::write(s, boost::asio::buffer(
                                    std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")));
        }
      }
    });
  }
  ~ForgetfulServer() {
    stop_ = true;
    boost::asio::ip::tcp::socket poke(io_);
    boost::system::error_code ec;
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int connections() const { return connections_; }
  int requests() const { return requests_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
};

}  // namespace

TEST_CASE(
    "The HTTP client resends a GET on a new connection, never a POST the server may have read",
    "[gateway][http]") {
  ForgetfulServer server;
  {
    HttpClient client("127.0.0.1", server.port());
    CHECK(client.send(request("GET", "/")).body == "ok");
    // The kept connection ends under the second GET: sent again on a new one.
    CHECK(client.send(request("GET", "/")).body == "ok");
    CHECK(server.connections() == 2);
  }
  HttpClient client("127.0.0.1", server.port());
  CHECK(client.send(request("POST", "/tasks", "x")).body == "ok");
  const int before = server.requests();
  CHECK_THROWS_WITH(client.send(request("POST", "/tasks", "x")),
                    Contains("POST http://127.0.0.1:"));
  CHECK(server.requests() == before + 1);  // read once, not twice
}
