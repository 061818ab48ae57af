#include "gateway/http_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>

namespace evostream::gateway {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string error_body(const std::string& message) {
  return nlohmann::json{{"error", message}}.dump() + "\n";
}

// `answer` as Beast's message.
http::response<http::string_body> message(const HttpResponse& answer, unsigned version,
                                          bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(answer.status), version};
  res.set(http::field::server, "evostream");
  res.set(http::field::content_type, answer.content_type);
  res.keep_alive(keep_alive);
  res.body() = answer.body;
  res.prepare_payload();
  return res;
}

// Writes `answer` to `socket` (a connection refused before it is served).
void write(tcp::socket& socket, const HttpResponse& answer) {
  beast::error_code ec;
  http::write(socket, message(answer, 11, false), ec);
}

}  // namespace

struct HttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  HttpLimits limits;
  Handler handler;
  std::thread io_thread;
  std::mutex mutex;
  std::condition_variable all_closed;
  std::set<tcp::socket*> open;  // connections being served, to close them at the end
  std::atomic<bool> stopping{false};

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec)
        return;  // closed: the server stops
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (!stopping && static_cast<int>(open.size()) < limits.connections) {
          auto* s = new tcp::socket(std::move(socket));
          open.insert(s);
          std::thread([this, s] { serve(s); }).detach();
          accept();
          return;
        }
      }
      write(socket, {503, "application/json", error_body("too many connections: try again")});
      beast::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      accept();
    });
  }

  // Serves one connection on an io_context of its own: each read and write is bounded by the
  // idle time (Beast's stream timeouts; a socket's SO_RCVTIMEO does not bound Asio's reads).
  void serve(tcp::socket* accepted) {
    asio::io_context io_here;
    beast::tcp_stream stream(io_here);
    {
      beast::error_code ec;
      const auto protocol = accepted->local_endpoint(ec).protocol();
      const int fd = ::dup(accepted->native_handle());
      accepted->close(ec);
      std::lock_guard<std::mutex> lock(mutex);
      open.erase(accepted);
      delete accepted;
      if (fd < 0 || stopping) {
        if (fd >= 0)
          ::close(fd);
        all_closed.notify_all();
        return;
      }
      stream.socket().assign(protocol, fd, ec);
      open.insert(&stream.socket());
    }
    // Runs one asynchronous operation to its end.
    auto wait = [&](auto&& start) {
      beast::error_code result;
      stream.expires_after(limits.idle);
      start([&](beast::error_code ec, std::size_t) { result = ec; });
      io_here.run();
      io_here.restart();
      return result;
    };
    auto answer_with = [&](const HttpResponse& answer, unsigned version, bool keep_alive) {
      auto res = message(answer, version, keep_alive);
      const beast::error_code ec =
          wait([&](auto&& done) { http::async_write(stream, res, std::move(done)); });
      return !ec && keep_alive;
    };
    // Sends the headers, then what `answer.stream` gives, until it ends, a write fails (the
    // client left) or the server stops.
    auto stream_with = [&](const HttpResponse& answer, unsigned version) {
      http::response<http::empty_body> res{static_cast<http::status>(answer.status), version};
      res.set(http::field::server, "evostream");
      res.set(http::field::content_type, answer.content_type);
      res.set(http::field::cache_control, "no-cache");
      res.keep_alive(false);  // the body ends when the connection closes
      http::response_serializer<http::empty_body> header{res};
      if (wait([&](auto&& done) { http::async_write_header(stream, header, std::move(done)); }))
        return;
      while (!stopping) {
        const std::optional<std::string> bytes = answer.stream();
        if (!bytes)
          return;
        if (bytes->empty())
          continue;
        if (wait([&](auto&& done) {
              asio::async_write(stream, asio::buffer(*bytes), std::move(done));
            }))
          return;
      }
    };
    beast::flat_buffer buffer;
    for (bool more = true; more;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes));
      parser.body_limit(limits.body_bytes);
      const beast::error_code ec =
          wait([&](auto&& done) { http::async_read(stream, buffer, parser, std::move(done)); });
      if (ec == http::error::body_limit) {
        answer_with({413, "application/json",
                     error_body("request body over the limit of " +
                                std::to_string(limits.body_bytes) + " bytes")},
                    11, false);
        break;
      }
      if (ec == http::error::header_limit) {
        answer_with({431, "application/json",
                     error_body("request headers over the limit of " +
                                std::to_string(limits.header_bytes) + " bytes")},
                    11, false);
        break;
      }
      if (ec && ec.category() == http::make_error_code(http::error::bad_method).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message) {
        answer_with({400, "application/json", error_body("malformed request: " + ec.message())}, 11,
                    false);
        break;
      }
      if (ec)
        break;  // closed, timed out, reset, or the server stops
      const auto& req = parser.get();
      HttpRequest r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      r.authorization = std::string(req[http::field::authorization]);
      r.content_type = std::string(req[http::field::content_type]);
      r.last_event_id = std::string(req["Last-Event-ID"]);
      r.body = req.body();
      HttpResponse answer;
      try {
        answer = handler(r);
      } catch (const std::exception& e) {
        answer = {500, "application/json", error_body(e.what())};
      }
      if (answer.stream) {
        stream_with(answer, req.version());
        break;
      }
      more = answer_with(answer, req.version(), req.keep_alive() && !stopping);
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    std::lock_guard<std::mutex> lock(mutex);
    open.erase(&stream.socket());
    stream.socket().close(ignored);
    all_closed.notify_all();
  }
};

HttpServer::HttpServer(const std::string& bind, uint16_t port, HttpLimits limits, Handler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->limits = limits;
  impl_->handler = std::move(handler);
  beast::error_code ec;
  const auto address = asio::ip::make_address(bind, ec);
  if (ec)
    throw std::runtime_error("--bind " + bind + ": expected an IP address, found \"" + bind + "\"");
  const tcp::endpoint at{address, port};
  impl_->acceptor.open(at.protocol(), ec);
  if (!ec)
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    impl_->acceptor.bind(at, ec);
  if (!ec)
    impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + bind + ":" + std::to_string(port) + ": " +
                             ec.message());
  }
  impl_->accept();
  impl_->io_thread = std::thread([this] { impl_->io.run(); });
}

HttpServer::~HttpServer() {
  asio::post(impl_->io, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  impl_->io_thread.join();
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->stopping = true;
  // Ends the connections' reads (a request being answered still gets its answer, written
  // before the thread sees the end); each thread then closes its own.
  for (auto* s : impl_->open)
    ::shutdown(s->native_handle(), SHUT_RD);
  impl_->all_closed.wait(lock, [this] { return impl_->open.empty(); });
}

uint16_t HttpServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

int HttpServer::connections() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return static_cast<int>(impl_->open.size());
}

}  // namespace evostream::gateway
