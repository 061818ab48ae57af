#include "gateway/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <stdexcept>

namespace evostream::gateway {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

}  // namespace

struct HttpClient::Impl {
  std::string host;
  uint16_t port = 0;
  std::chrono::seconds timeout{60};
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  std::string where() const { return "http://" + host + ":" + std::to_string(port); }

  void connect() {
    stream.emplace(io);
    buffer.clear();
    beast::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec)
      throw std::runtime_error(where() + ": expected an IP address, found \"" + host + "\"");
    stream->expires_after(timeout);
    stream->connect(tcp::endpoint(address, port), ec);
    if (ec)
      throw std::runtime_error("cannot connect to " + where() + ": " + ec.message());
  }

  // One exchange on the open connection; false when it failed (the connection went), with
  // `sent` telling whether the whole request had been written.
  bool exchange(const HttpRequest& r, HttpResponse& answer, std::string& failure, bool& sent) {
    http::request<http::string_body> req{http::string_to_verb(r.method), r.target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "evostream");
    if (!r.authorization.empty())
      req.set(http::field::authorization, r.authorization);
    if (!r.content_type.empty())
      req.set(http::field::content_type, r.content_type);
    req.body() = r.body;
    req.prepare_payload();
    beast::error_code ec;
    stream->expires_after(timeout);
    http::write(*stream, req, ec);
    sent = !ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 32);
    if (!ec)
      http::read(*stream, buffer, parser, ec);
    if (ec) {
      failure = ec.message();
      return false;
    }
    const auto& res = parser.get();
    answer.status = static_cast<int>(res.result_int());
    answer.content_type = std::string(res[http::field::content_type]);
    answer.body = res.body();
    if (!res.keep_alive())
      stream.reset();
    return true;
  }
};

HttpClient::HttpClient(std::string host, uint16_t port, std::chrono::seconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::send(const HttpRequest& request) {
  HttpResponse answer;
  std::string failure;
  bool sent = false;
  const bool reused = impl_->stream.has_value();
  if (!reused)
    impl_->connect();
  if (impl_->exchange(request, answer, failure, sent))
    return answer;
  // The server closed a kept connection (its idle time): once more on a new one, unless a
  // request that is not a GET may have reached it (sending it twice could act twice).
  if (reused && (!sent || request.method == "GET")) {
    impl_->connect();
    if (impl_->exchange(request, answer, failure, sent))
      return answer;
  }
  impl_->stream.reset();
  throw std::runtime_error(request.method + " " + impl_->where() + request.target + ": " + failure);
}

}  // namespace evostream::gateway
