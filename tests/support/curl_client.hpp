#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/test_files.hpp"

namespace evostream::testing {

/// An HTTP answer: the status and the body.
struct Reply {
  int status = 0;
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

/// An HTTP client through curl (Debian's curl, as a user would call the gateway), on one base
/// address, with a bearer token for writes.
class CurlClient {
 public:
  /// `base` e.g. "http://127.0.0.1:8787"; `token` sent by `post` unless told not to.
  CurlClient(std::string base, std::string token = "");

  Reply get(const std::string& path) const;
  Reply post(const std::string& path, const std::string& body, bool token = true,
             const std::string& type = "application/json") const;
  /// Any request: `method`, `path` below the base, a body ("" for none) and extra curl
  /// arguments.
  Reply call(const std::string& method, const std::string& path, const std::string& body,
             const std::vector<std::string>& args) const;

 private:
  TempDir files_;  // the request and reply bodies
  std::string base_;
  std::string token_;
};

/// `evostream ARGS... --quiet` (a `serve`, or a `run --serve`, on port 0), started in the
/// background with its output in `log`: its pid and the port and token it printed.
struct ServedRun {
  pid_t pid = -1;
  uint16_t port = 0;
  std::string token;
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port); }
};
ServedRun serve_in_background(std::vector<std::string> args, const std::string& log);

}  // namespace evostream::testing
