#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/http_server.hpp"

namespace evostream::gateway {

/// A blocking HTTP/1.1 client (Boost.Beast) for one server, keeping its connection open from
/// one request to the next and opening a new one when the server closed it: what the load
/// benchmark and the tests talk to a gateway with.
class HttpClient {
 public:
  /// A client of `host`:`port` (an IP address); `timeout` bounds each request. Connects on the
  /// first request.
  HttpClient(std::string host, uint16_t port,
             std::chrono::seconds timeout = std::chrono::seconds(60));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends `request` (its method, target, authorization, content type and body) and returns
  /// the answer. Raises `std::runtime_error` naming the server when it cannot connect or the
  /// exchange fails twice (once on a fresh connection).
  HttpResponse send(const HttpRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace evostream::gateway
