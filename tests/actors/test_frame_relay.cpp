#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "actors/frame_relay.hpp"
#include "support/test_files.hpp"

using evostream::actors::FrameRelay;
using evostream::actors::FrameRelayOptions;
using evostream::actors::TlsCredentials;
using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Bytes = std::vector<uint8_t>;

ssl::context context_of(const TlsCredentials& c) {
  ssl::context context(ssl::context::tls);
  context.use_certificate_chain_file(c.path());
  context.use_private_key_file(c.path(), ssl::context::pem);
  context.load_verify_file(c.path());
  context.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  return context;
}

// A BASP frame: the 32-byte header announcing `announced` payload bytes, then `payload`.
Bytes frame(uint32_t announced, const Bytes& payload) {
  Bytes out(32 + payload.size(), 0);
  out[0] = 0x02;  // a direct message
  out[4] = static_cast<uint8_t>(announced >> 24);
  out[5] = static_cast<uint8_t>(announced >> 16);
  out[6] = static_cast<uint8_t>(announced >> 8);
  out[7] = static_cast<uint8_t>(announced);
  std::copy(payload.begin(), payload.end(), out.begin() + 32);
  return out;
}

Bytes pattern(size_t n, uint8_t seed) {
  Bytes out(n);
  for (size_t i = 0; i < n; ++i)
    out[i] = static_cast<uint8_t>(i * 31 + seed);
  return out;
}

// What stands in for this process's CAF: a TLS server on loopback with the relay's credentials
// that sends `greeting` to its one client, then keeps what it receives until the end.
struct LocalEnd {
  LocalEnd(const TlsCredentials& credentials, Bytes greeting)
      : context(context_of(credentials)),
        acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
        received(std::async(std::launch::async, [this, greeting] {
          ssl::stream<tcp::socket> stream(io, context);
          acceptor.accept(stream.lowest_layer());
          stream.handshake(ssl::stream_base::server);
          asio::write(stream, asio::buffer(greeting));
          Bytes got;
          boost::system::error_code ec;
          std::array<uint8_t, 4096> piece;
          for (;;) {
            const size_t n = stream.read_some(asio::buffer(piece), ec);
            if (ec)
              break;
            got.insert(got.end(), piece.begin(), piece.begin() + n);
          }
          return got;
        })) {}
  uint16_t port() const { return acceptor.local_endpoint().port(); }

  asio::io_context io;
  ssl::context context;
  tcp::acceptor acceptor;
  std::future<Bytes> received;
};

// A peer on another machine: connects to the relay with `credentials`.
struct RemoteEnd {
  RemoteEnd(const TlsCredentials& credentials, uint16_t port)
      : context(context_of(credentials)), stream(io, context) {
    stream.lowest_layer().connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    stream.handshake(ssl::stream_base::client);
  }
  asio::io_context io;
  ssl::context context;
  ssl::stream<tcp::socket> stream;
};

struct Refusals {
  std::mutex mutex;
  std::vector<std::string> lines;
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mutex);
      lines.push_back(line);
    };
  }
};

}  // namespace

TEST_CASE(
    "A relay passes frames both ways unchanged and cuts a connection at a frame over the "
    "limit before passing a byte of it",
    "[actors][relay]") {
  TempDir d;
  const auto credentials = TlsCredentials::create(d.file("run.pem"), "evostream test");
  Refusals refusals;
  FrameRelayOptions options;
  options.remote = credentials;
  options.max_payload = 200'000;
  options.max_handshake_payload = 1'000;
  options.on_refusal = refusals.sink();
  FrameRelay relay(options);
  const Bytes greeting = frame(5, pattern(5, 7));
  LocalEnd local(relay.local(), greeting);
  const uint16_t port = relay.serve("127.0.0.1", 0, local.port());
  RemoteEnd remote(credentials, port);

  // What the local end sends reaches the peer as it was.
  Bytes heard(greeting.size());
  asio::read(remote.stream, asio::buffer(heard));
  CHECK(heard == greeting);
  // Frames within the limits pass whole, a payload of 150,000 bytes in many pieces included;
  // then a header announcing 4 GiB − 256 MiB closes the connection, and nothing of it passes.
  const Bytes first = frame(900, pattern(900, 1));
  const Bytes second = frame(150'000, pattern(150'000, 2));
  const Bytes empty = frame(0, {});
  asio::write(remote.stream, asio::buffer(first));
  asio::write(remote.stream, asio::buffer(second));
  asio::write(remote.stream, asio::buffer(empty));
  asio::write(remote.stream, asio::buffer(frame(0xF0000000u, pattern(64, 3))));
  Bytes expected = first;
  expected.insert(expected.end(), second.begin(), second.end());
  expected.insert(expected.end(), empty.begin(), empty.end());
  REQUIRE(local.received.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  CHECK(local.received.get() == expected);
  boost::system::error_code ec;
  Bytes rest(1);
  asio::read(remote.stream, asio::buffer(rest), ec);
  CHECK(ec);  // the peer's connection is closed too
  CHECK_THAT(relay.last_refusal(),
             Contains("connection with 127.0.0.1:") &&
                 Contains("announced a message of 4026531840 bytes, over the limit of "
                          "200000 bytes"));
  std::lock_guard<std::mutex> lock(refusals.mutex);
  CHECK(refusals.lines == std::vector<std::string>{relay.last_refusal()});
}

TEST_CASE("A relay holds a connection's first frame to the handshake's limit", "[actors][relay]") {
  TempDir d;
  const auto credentials = TlsCredentials::create(d.file("run.pem"), "evostream test");
  FrameRelayOptions options;
  options.remote = credentials;
  options.max_handshake_payload = 1'000;
  FrameRelay relay(options);
  LocalEnd local(relay.local(), {});
  RemoteEnd remote(credentials, relay.serve("127.0.0.1", 0, local.port()));
  asio::write(remote.stream, asio::buffer(frame(1'001, pattern(1'001, 4))));
  REQUIRE(local.received.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  CHECK(local.received.get().empty());
  CHECK_THAT(relay.last_refusal(),
             Contains("announced a message of 1001 bytes, over the limit of 1000 bytes for a "
                      "connection's first one"));
}

TEST_CASE(
    "A relay refuses a peer without the credentials in the TLS handshake, and plain TCP "
    "when it expects TLS",
    "[actors][relay]") {
  TempDir d;
  const auto credentials = TlsCredentials::create(d.file("run.pem"), "evostream test");
  const auto other = TlsCredentials::create(d.file("other.pem"), "someone else");
  FrameRelayOptions options;
  options.remote = credentials;
  options.setup_seconds = 1;
  FrameRelay relay(options);
  // Neither connection gets as far as this process's side (port 1: nothing listens there).
  const uint16_t port = relay.serve("127.0.0.1", 0, 1);
  CHECK_THROWS(RemoteEnd(other, port));
  for (int i = 0; i < 100 && relay.last_refusal().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK_THAT(relay.last_refusal(), Contains("TLS handshake with 127.0.0.1:") && Contains("failed"));
  // A plain client that waits for the server to speak first is closed after the setup time.
  asio::io_context io;
  tcp::socket plain(io);
  plain.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  Bytes one(1);
  boost::system::error_code ec;
  asio::read(plain, asio::buffer(one), ec);
  CHECK(ec);
  CHECK_THAT(relay.last_refusal(), Contains("not set up within 1 s"));
}

TEST_CASE(
    "A relay that cannot listen names the address, and one that cannot resolve its "
    "target names it",
    "[actors][relay]") {
  FrameRelay first({});
  const uint16_t port = first.serve("127.0.0.1", 0, 1);
  FrameRelay second({});
  CHECK_THROWS_WITH(second.serve("127.0.0.1", port, 1),
                    Contains("cannot listen on 127.0.0.1:" + std::to_string(port)));
  CHECK_THROWS_WITH(second.reach("no-such-host.invalid", 1),
                    Contains("cannot connect to no-such-host.invalid:1"));
}

TEST_CASE("A relay removes the key folders that killed processes left behind", "[actors][relay]") {
  namespace fs = std::filesystem;
  // A process that has ended, and one that runs (this one).
  const pid_t gone = fork();
  if (gone == 0)
    _exit(0);
  REQUIRE(gone > 0);
  REQUIRE(waitpid(gone, nullptr, 0) == gone);
  const fs::path temp = fs::temp_directory_path();
  const fs::path left = temp / ("evostream-relay-" + std::to_string(gone) + "-Ab12Cd");
  const fs::path alive = temp / ("evostream-relay-" + std::to_string(getpid()) + "-Ef34Gh");
  const fs::path other = temp / ("evostream-relayed-" + std::to_string(gone) + "-Ij56Kl");
  for (const fs::path& p : {left, alive, other}) {
    fs::create_directories(p);
    write_text((p / "tls.pem").string(), "key");
  }
  fs::path own;
  {
    FrameRelay relay(FrameRelayOptions{});
    CHECK_FALSE(fs::exists(left));
    CHECK(fs::exists(alive / "tls.pem"));
    CHECK(fs::exists(other / "tls.pem"));
    // Its own folder carries this process's id, and goes with it.
    own = fs::path(relay.local().path()).parent_path();
    CHECK_THAT(own.filename().string(),
               Contains("evostream-relay-" + std::to_string(getpid()) + "-"));
    REQUIRE(fs::exists(own));
  }
  CHECK_FALSE(fs::exists(own));
  std::error_code ec;
  fs::remove_all(alive, ec);
  fs::remove_all(other, ec);
}
