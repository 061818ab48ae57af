#include "actors/frame_relay.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <caf/io/basp/header.hpp>
#include <cerrno>
#include <filesystem>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace evostream::actors {

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = ssl::stream<tcp::socket>;
using boost::system::error_code;

// A BASP frame: a header of fixed size whose bytes 4 to 7 hold the payload's length (big
// endian, as CAF's binary serialiser writes integers), then the payload.
constexpr size_t kHeaderSize = 32;
static_assert(caf::io::basp::header_size == kHeaderSize, "BASP's header changed its size");
constexpr size_t kLengthAt = 4;
constexpr size_t kPiece = 64 * 1024;

std::string mib(uint64_t bytes) {
  return bytes % (1 << 20) == 0 ? fmt::format("{} MiB", bytes >> 20)
                                : fmt::format("{} bytes", bytes);
}

// A TLS context presenting `credentials` and trusting only their certificate.
std::unique_ptr<ssl::context> tls_context(const TlsCredentials& credentials) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls);
  try {
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
    context->use_certificate_chain_file(credentials.path());
    context->use_private_key_file(credentials.path(), ssl::context::pem);
    context->load_verify_file(credentials.path());
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(
        fmt::format("{}: cannot use as TLS credentials: {}", credentials.path(), e.what()));
  }
  return context;
}

// Completes at once: plain TCP has no handshake.
template <class F>
void handshake(tcp::socket& socket, ssl::stream_base::handshake_type, F&& done) {
  asio::post(socket.get_executor(), [done = std::forward<F>(done)]() mutable { done({}); });
}
template <class F>
void handshake(TlsStream& stream, ssl::stream_base::handshake_type type, F&& done) {
  stream.async_handshake(type, std::forward<F>(done));
}

std::string text_of(const tcp::endpoint& endpoint) {
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

// Removes this user's relay folders in `temp` whose process has gone: a SIGKILL skips the
// destructor that removes a relay's own.
void sweep_gone(const std::filesystem::path& temp) {
  static const std::regex kName("evostream-relay-([0-9]{1,9})-[A-Za-z0-9]{6}");
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(temp, ec)) {
    std::smatch m;
    const std::string name = entry.path().filename().string();
    struct stat st = {};
    if (!std::regex_match(name, m, kName) || ::lstat(entry.path().c_str(), &st) != 0 ||
        !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid())
      continue;
    const auto pid = static_cast<pid_t>(std::stol(m[1].str()));
    if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH)
      std::filesystem::remove_all(entry.path(), ec);
  }
}

// A private folder named after this process, removed with what it holds when this goes.
class PrivateFolder {
 public:
  PrivateFolder() {
    const std::filesystem::path temp = std::filesystem::temp_directory_path();
    sweep_gone(temp);
    std::string name = (temp / fmt::format("evostream-relay-{}-XXXXXX", ::getpid())).string();
    if (mkdtemp(name.data()) == nullptr)
      throw std::runtime_error(fmt::format("{}: cannot create a private folder", name));
    path_ = name;
  }
  ~PrivateFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  PrivateFolder(const PrivateFolder&) = delete;
  PrivateFolder& operator=(const PrivateFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

struct FrameRelay::Impl {
  // One relayed connection: frames from the other machine pass header by header, each payload
  // checked against the limit before a byte of it goes on; what CAF sends goes out as it comes.
  template <class Remote>
  class Link : public std::enable_shared_from_this<Link<Remote>> {
   public:
    Link(std::shared_ptr<Remote> remote, std::shared_ptr<TlsStream> local, Impl& relay,
         std::string peer)
        : remote_(std::move(remote)),
          local_(std::move(local)),
          relay_(relay),
          peer_(std::move(peer)),
          in_(kPiece),
          out_(kPiece) {}

    void start() {
      read_header();
      send_out();
    }

   private:
    void read_header() {
      auto self = this->shared_from_this();
      asio::async_read(*remote_, asio::buffer(header_), [self](error_code ec, size_t) {
        if (ec)
          return self->close();
        const uint8_t* l = self->header_.data() + kLengthAt;
        const uint64_t length = (uint64_t{l[0]} << 24) | (uint64_t{l[1]} << 16) |
                                (uint64_t{l[2]} << 8) | uint64_t{l[3]};
        const FrameRelayOptions& o = self->relay_.options;
        const uint64_t limit = self->first_ ? o.max_handshake_payload : o.max_payload;
        if (length > limit) {
          self->relay_.refuse(fmt::format(
              "connection with {} closed: it announced a message of {} bytes, over the limit of "
              "{}{}",
              self->peer_, length, mib(limit),
              self->first_ ? " for a connection's first one" : ""));
          return self->close();
        }
        self->first_ = false;
        self->remaining_ = length;
        asio::async_write(*self->local_, asio::buffer(self->header_),
                          [self](error_code ec, size_t) {
                            if (ec)
                              return self->close();
                            self->pass_payload();
                          });
      });
    }

    void pass_payload() {
      if (remaining_ == 0)
        return read_header();
      auto self = this->shared_from_this();
      const size_t want = static_cast<size_t>(std::min<uint64_t>(remaining_, in_.size()));
      remote_->async_read_some(asio::buffer(in_.data(), want), [self](error_code ec, size_t n) {
        if (ec)
          return self->close();
        self->remaining_ -= n;
        asio::async_write(*self->local_, asio::buffer(self->in_.data(), n),
                          [self](error_code ec, size_t) {
                            if (ec)
                              return self->close();
                            self->pass_payload();
                          });
      });
    }

    void send_out() {
      auto self = this->shared_from_this();
      local_->async_read_some(asio::buffer(out_), [self](error_code ec, size_t n) {
        if (ec)
          return self->close();
        asio::async_write(*self->remote_, asio::buffer(self->out_.data(), n),
                          [self](error_code ec, size_t) {
                            if (ec)
                              return self->close();
                            self->send_out();
                          });
      });
    }

    void close() {
      error_code ignored;
      remote_->lowest_layer().close(ignored);
      local_->lowest_layer().close(ignored);
    }

    std::shared_ptr<Remote> remote_;
    std::shared_ptr<TlsStream> local_;
    Impl& relay_;
    std::string peer_;
    std::array<uint8_t, kHeaderSize> header_{};
    std::vector<uint8_t> in_;
    std::vector<uint8_t> out_;
    uint64_t remaining_ = 0;
    bool first_ = true;
  };

  explicit Impl(FrameRelayOptions o)
      : options(std::move(o)),
        local(TlsCredentials::create(folder.path() + "/loopback.pem", "evostream loopback")),
        local_context(tls_context(local)),
        remote_context(options.remote ? tls_context(*options.remote) : nullptr),
        guard(asio::make_work_guard(io)),
        thread([this] { io.run(); }) {}

  ~Impl() {
    io.stop();
    thread.join();
  }

  void refuse(const std::string& why) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      last_refusal = why;
    }
    if (options.on_refusal)
      options.on_refusal(why);
  }

  // A connection being set up: it ends once, set up, failed or out of time.
  struct Setup {
    Setup(Impl& r, asio::io_context& io) : relay(r), timer(io) {}
    // Ends it; false when it had already ended.
    bool end() {
      if (over)
        return false;
      over = true;
      timer.cancel();
      return true;
    }
    // Ends it, refused for `why`, unless it had already ended.
    void fail(const std::string& why) {
      if (end())
        relay.refuse(why);
    }
    Impl& relay;
    asio::steady_timer timer;
    bool over = false;
  };

  // Closes both ends of a connection being set up unless it is set up in time.
  template <class Remote>
  std::shared_ptr<Setup> deadline(std::shared_ptr<Remote> remote, std::shared_ptr<TlsStream> local,
                                  const std::string& peer) {
    auto setup = std::make_shared<Setup>(*this, io);
    setup->timer.expires_after(std::chrono::seconds(options.setup_seconds));
    setup->timer.async_wait([this, setup, remote, local, peer](error_code ec) {
      if (ec || !setup->end())
        return;
      refuse(fmt::format("connection with {} closed: not set up within {} s", peer,
                         options.setup_seconds));
      error_code ignored;
      remote->lowest_layer().close(ignored);
      local->lowest_layer().close(ignored);
    });
    return setup;
  }

  template <class Remote>
  void start_link(std::shared_ptr<Remote> remote, std::shared_ptr<TlsStream> local,
                  const std::string& peer) {
    std::make_shared<Link<Remote>>(std::move(remote), std::move(local), *this, peer)->start();
  }

  // serve: a connection from another machine, relayed to CAF on loopback.
  template <class Remote>
  void begin_serve(std::shared_ptr<Remote> remote) {
    error_code ec;
    const std::string peer = text_of(remote->lowest_layer().remote_endpoint(ec));
    auto local = std::make_shared<TlsStream>(io, *local_context);
    auto setup = deadline(remote, local, peer);
    handshake(*remote, ssl::stream_base::server, [=](error_code ec) {
      if (ec)
        return setup->fail(fmt::format("TLS handshake with {} failed: {}", peer, ec.message()));
      local->lowest_layer().async_connect(
          tcp::endpoint(asio::ip::address_v4::loopback(), caf_port), [=](error_code ec) {
            if (ec)
              return setup->fail(
                  fmt::format("connection from {} closed: cannot reach this process "
                              "on 127.0.0.1:{}: {}",
                              peer, caf_port, ec.message()));
            local->async_handshake(ssl::stream_base::client, [=](error_code ec) {
              if (ec)
                return setup->fail(fmt::format("connection from {} closed: loopback handshake: {}",
                                               peer, ec.message()));
              if (setup->end())
                start_link(remote, local, peer);
            });
          });
    });
  }

  // Calls `on_socket` with each connection the acceptor takes, until it is closed.
  template <class F>
  void accept_each(F on_socket) {
    acceptor->async_accept([this, on_socket](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted)
        return;
      if (!ec)
        on_socket(std::move(socket));
      accept_each(on_socket);
    });
  }

  void accept_remote() {
    accept_each([this](tcp::socket socket) {
      if (remote_context)
        begin_serve(std::make_shared<TlsStream>(std::move(socket), *remote_context));
      else
        begin_serve(std::make_shared<tcp::socket>(std::move(socket)));
    });
  }

  // reach: a connection from CAF on loopback, relayed to the other machine.
  template <class Remote>
  void begin_reach(std::shared_ptr<TlsStream> local, std::shared_ptr<Remote> remote) {
    const std::string peer = target_text;
    auto setup = deadline(remote, local, peer);
    local->async_handshake(ssl::stream_base::server, [=](error_code ec) {
      if (ec)
        return setup->fail(fmt::format(
            "a loopback connection without this process's credentials: {}", ec.message()));
      asio::async_connect(remote->lowest_layer(), target, [=](error_code ec, const tcp::endpoint&) {
        if (ec)
          return setup->fail(fmt::format("cannot connect to {}: {}", peer, ec.message()));
        handshake(*remote, ssl::stream_base::client, [=](error_code ec) {
          if (ec)
            return setup->fail(fmt::format("TLS handshake with {} failed: {}", peer, ec.message()));
          if (setup->end())
            start_link(remote, local, peer);
        });
      });
    });
  }

  void accept_local() {
    accept_each([this](tcp::socket socket) {
      auto local = std::make_shared<TlsStream>(std::move(socket), *local_context);
      if (remote_context)
        begin_reach(local, std::make_shared<TlsStream>(io, *remote_context));
      else
        begin_reach(local, std::make_shared<tcp::socket>(io));
    });
  }

  FrameRelayOptions options;
  PrivateFolder folder;
  TlsCredentials local;
  std::unique_ptr<ssl::context> local_context;
  std::unique_ptr<ssl::context> remote_context;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::shared_ptr<tcp::acceptor> acceptor;
  uint16_t caf_port = 0;
  tcp::resolver::results_type target;
  std::string target_text;
  mutable std::mutex mutex;
  std::string last_refusal;
  std::thread thread;  // last: it starts once everything above exists
};

FrameRelay::FrameRelay(FrameRelayOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

FrameRelay::~FrameRelay() = default;

const TlsCredentials& FrameRelay::local() const {
  return impl_->local;
}

uint16_t FrameRelay::serve(const std::string& bind, uint16_t port, uint16_t caf_port) {
  try {
    tcp::resolver resolver(impl_->io);
    const tcp::endpoint at =
        resolver.resolve(bind, std::to_string(port), tcp::resolver::passive)->endpoint();
    auto acceptor = std::make_shared<tcp::acceptor>(impl_->io, at.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    acceptor->bind(at);
    acceptor->listen();
    const uint16_t bound = acceptor->local_endpoint().port();
    asio::post(impl_->io, [impl = impl_.get(), acceptor, caf_port]() {
      impl->acceptor = acceptor;
      impl->caf_port = caf_port;
      impl->accept_remote();
    });
    return bound;
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(fmt::format("cannot listen on {}:{}: {}", bind, port, e.what()));
  }
}

uint16_t FrameRelay::reach(const std::string& host, uint16_t port) {
  tcp::resolver::results_type target;
  try {
    tcp::resolver resolver(impl_->io);
    target = resolver.resolve(host, std::to_string(port));
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(fmt::format("cannot connect to {}:{}: {}", host, port, e.what()));
  }
  auto acceptor = std::make_shared<tcp::acceptor>(
      impl_->io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const uint16_t bound = acceptor->local_endpoint().port();
  asio::post(impl_->io,
             [impl = impl_.get(), acceptor, target, text = fmt::format("{}:{}", host, port)]() {
               impl->acceptor = acceptor;
               impl->target = target;
               impl->target_text = text;
               impl->accept_local();
             });
  return bound;
}

std::string FrameRelay::last_refusal() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->last_refusal;
}

}  // namespace evostream::actors
