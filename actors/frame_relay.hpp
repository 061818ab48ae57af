#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "actors/tls_credentials.hpp"

namespace evostream::actors {

/// What a `FrameRelay` speaks toward the other machine and what it lets through.
struct FrameRelayOptions {
  /// Mutual TLS toward the other machine with these credentials; none: plain TCP (`--insecure`).
  /// Default: none.
  std::optional<TlsCredentials> remote;
  /// Largest payload of one frame taken from the other machine, in bytes. Default: 1 GiB.
  uint64_t max_payload = uint64_t{1} << 30;
  /// Largest payload of the first frame of a connection (the BASP handshake, a few kilobytes),
  /// before the peer has shown it speaks the protocol. Default: 1 MiB.
  uint64_t max_handshake_payload = uint64_t{1} << 20;
  /// How long a connection may take to be set up (TCP, TLS on both hops) before it is closed.
  /// Default: 10 s.
  int64_t setup_seconds = 10;
  /// Called on the relay's thread with one line for each connection it refuses or cuts (a
  /// failed handshake, a frame over the limit). Default: none.
  std::function<void(const std::string&)> on_refusal;
};

/// Carries this process's network traffic between CAF and other machines, and bounds every
/// frame before CAF allocates it.
///
/// CAF 0.17's BASP broker reads a 32-byte header and then allocates the payload length it
/// announces, up to 4 GiB, whoever sent it. The relay sits between: toward the other machine
/// it speaks TLS with `FrameRelayOptions::remote` (or plain TCP), toward this process's CAF it
/// speaks TLS on loopback with credentials of its own (`local()`, made fresh and kept in a
/// private temporary folder named after the process; a relay removes the folders of processes
/// that have gone), so nobody on this machine reaches CAF past it. It reads each
/// header that comes from the other machine, refuses a payload over the limit by closing the
/// connection (and saying so through `on_refusal`), and streams the rest through in 64 KiB
/// pieces; what CAF sends goes out unchanged. One thread runs every connection.
class FrameRelay {
 public:
  /// Makes the local credentials and starts the relay's thread. Raises `std::runtime_error`
  /// when the credentials cannot be written.
  explicit FrameRelay(FrameRelayOptions options);
  ~FrameRelay();
  FrameRelay(const FrameRelay&) = delete;
  FrameRelay& operator=(const FrameRelay&) = delete;

  /// The credentials CAF must use in this process (certificate, key and only trusted authority).
  const TlsCredentials& local() const;

  /// Accepts connections from other machines on `bind:port` (port 0: any free one) and relays
  /// each to CAF listening on 127.0.0.1:`caf_port`. Returns the port it listens on. Raises
  /// `std::runtime_error` ("cannot listen on BIND:PORT: why") when it cannot listen.
  uint16_t serve(const std::string& bind, uint16_t port, uint16_t caf_port);

  /// Accepts CAF's connections on a free loopback port, which it returns, and relays each to
  /// `host:port`. Raises `std::runtime_error` ("cannot connect to HOST:PORT: why") when the
  /// host cannot be resolved.
  uint16_t reach(const std::string& host, uint16_t port);

  /// Why the latest connection was refused or cut, as `on_refusal` was told; empty if none was.
  std::string last_refusal() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace evostream::actors
