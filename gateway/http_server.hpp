#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace evostream::gateway {

/// One HTTP request as the server read it: what the routes need, without Beast's types.
struct HttpRequest {
  /// `GET`, `POST`, ...
  std::string method;
  /// The path and query as sent (`/tasks/a/predict?x=1`).
  std::string target;
  /// The `Authorization`, `Content-Type` and `Last-Event-ID` header values ("" when absent).
  std::string authorization;
  std::string content_type;
  std::string last_event_id;
  std::string body;
};

/// The answer to one request.
struct HttpResponse {
  HttpResponse() = default;
  HttpResponse(int status, std::string content_type, std::string body)
      : status(status), content_type(std::move(content_type)), body(std::move(body)) {}

  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  /// A body of unknown length, sent as it comes (server-sent events); none by default. When
  /// set, `body` is not sent: after the headers it is called again and again, each call giving
  /// the next bytes ("" when there are none yet), until it gives nothing, the client goes or
  /// the server stops; the connection then closes.
  std::function<std::optional<std::string>()> stream;
};

/// What one client may take of the server. A connection over `connections` is answered 503 and
/// closed; a client silent for `idle` is disconnected, so a slow client holds at most one of
/// the connections, never the run.
struct HttpLimits {
  /// Largest request body, in bytes: larger ones are answered 413. Default: 16 MiB.
  size_t body_bytes = size_t{16} << 20;
  /// Largest request line and headers, in bytes: larger ones are answered 431. Default: 16 KiB.
  size_t header_bytes = size_t{16} << 10;
  /// Connections served at once. Default: 32.
  int connections = 32;
  /// How long a connection may wait for the client's next bytes. Default: 30 s.
  std::chrono::seconds idle{30};
};

/// An HTTP/1.1 server (Boost.Beast) on one address: each connection is read by a thread of its
/// own, request after request (keep-alive), and each request is answered by `handler`, which
/// may be called from several threads at once.
///
/// Malformed requests are answered 400 and close the connection; the handler never sees them.
/// The server stops (closing every connection) when destroyed.
class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  /// Listens on `bind`:`port` (0: a free port; `port()` says which). Raises
  /// `std::runtime_error` naming the address when it cannot listen.
  HttpServer(const std::string& bind, uint16_t port, HttpLimits limits, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// The port it listens on.
  uint16_t port() const;
  /// Connections open now.
  int connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace evostream::gateway
