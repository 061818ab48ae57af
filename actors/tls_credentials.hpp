#pragma once

#include <chrono>
#include <string>

namespace evostream::actors {

/// The key and certificate that let a run and its workers recognise each other: one PEM file.
///
/// A listening run and every worker present the same self-signed certificate and trust only
/// it, so the TLS handshake (CAF's OpenSSL module) succeeds only between holders of the file's
/// private key: mutual authentication, then encryption. Anyone else's connection ends in the
/// handshake, before CAF reads a single message from it. The file is created with mode 0600;
/// whoever can read it can join the run.
class TlsCredentials {
 public:
  static constexpr std::chrono::seconds kTenYears{int64_t{10} * 365 * 24 * 3600};

  /// Generates a fresh key (ECDSA P-256) and a certificate for it named `common_name`, valid
  /// from an hour ago for `valid` from now (default: ten years), and writes both to `path`
  /// (atomically, mode 0600). Raises `std::runtime_error` naming `path` when it cannot.
  static TlsCredentials create(const std::string& path, const std::string& common_name,
                               std::chrono::seconds valid = kTenYears);

  /// Opens an existing file. Raises `std::runtime_error` naming it unless it holds a private
  /// key and a certificate of that key that is valid now.
  static TlsCredentials open(const std::string& path);

  /// The file, for CAF's `openssl.certificate`, `openssl.key` and `openssl.cafile`.
  const std::string& path() const noexcept { return path_; }

 private:
  explicit TlsCredentials(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace evostream::actors
