#include "support/curl_client.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <regex>

#include "support/process.hpp"

namespace evostream::testing {

namespace {

// `s` quoted for the shell.
std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

CurlClient::CurlClient(std::string base, std::string token)
    : base_(std::move(base)), token_(std::move(token)) {}

Reply CurlClient::get(const std::string& path) const {
  return call("GET", path, "", {});
}

Reply CurlClient::post(const std::string& path, const std::string& body, bool token,
                       const std::string& type) const {
  std::vector<std::string> args{"-H", "Content-Type: " + type};
  if (token) {
    args.push_back("-H");
    args.push_back("Authorization: Bearer " + token_);
  }
  return call("POST", path, body, args);
}

Reply CurlClient::call(const std::string& method, const std::string& path, const std::string& body,
                       const std::vector<std::string>& args) const {
  std::string cmd = "curl -s -S -X " + method + " -o " + shell_quoted(files_.file("reply")) +
                    " -w '%{http_code}' --max-time 60";
  if (!body.empty() || method == "POST") {
    write_text(files_.file("request"), body);
    cmd += " --data-binary @" + shell_quoted(files_.file("request"));
  }
  for (const auto& a : args)
    cmd += " " + shell_quoted(a);
  cmd += " " + shell_quoted(base_ + path) + " > " + shell_quoted(files_.file("code")) + " 2>&1";
  const int rc = std::system(cmd.c_str());
  const std::string code = slurp(files_.file("code"));
  INFO(cmd << "\n" << code);
  // A server that answers before the whole body is sent (413) may make curl fail its send,
  // with the status still read.
  REQUIRE((rc == 0 || code.rfind("4", 0) == 0));
  return {std::stoi(code.substr(0, 3)), slurp(files_.file("reply"))};
}

ServedRun serve_in_background(std::vector<std::string> args, const std::string& log) {
  args.push_back("--quiet");
  ServedRun s;
  s.pid = spawn(EVOSTREAM_BINARY, args, log);
  REQUIRE(wait_for_text(log, "writes need the token", 60.0));
  std::smatch m;
  const std::string text = slurp(log);
  REQUIRE(std::regex_search(text, m,
                            std::regex("http://127\\.0\\.0\\.1:([0-9]+) \\(writes need "
                                       "the token ([0-9a-f]+)")));
  s.port = static_cast<uint16_t>(std::stoi(m[1].str()));
  s.token = m[2].str();
  return s;
}

}  // namespace evostream::testing
