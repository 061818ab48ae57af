#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "actors/tls_credentials.hpp"
#include "support/test_files.hpp"

using evostream::actors::TlsCredentials;
using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The PEM block of `kind` ("PRIVATE KEY", "CERTIFICATE") in `text`.
std::string block(const std::string& text, const std::string& kind) {
  const std::string begin = "-----BEGIN " + kind + "-----";
  const std::string end = "-----END " + kind + "-----\n";
  const size_t a = text.find(begin);
  const size_t b = text.find(end, a);
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  return text.substr(a, b + end.size() - a);
}

}  // namespace

TEST_CASE("New credentials hold a key and its certificate, readable by the owner alone",
          "[actors][tls]") {
  TempDir d;
  const auto c = TlsCredentials::create(d.file("tls.pem"), "evostream test");
  CHECK(c.path() == d.file("tls.pem"));
  struct stat st {};
  REQUIRE(stat(d.file("tls.pem").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string text = read_text(d.file("tls.pem"));
  CHECK_THAT(text,
             Contains("-----BEGIN PRIVATE KEY-----") && Contains("-----BEGIN CERTIFICATE-----"));
  CHECK(TlsCredentials::open(d.file("tls.pem")).path() == d.file("tls.pem"));
  // Each creation is a new key.
  TlsCredentials::create(d.file("again.pem"), "evostream test");
  CHECK(block(read_text(d.file("again.pem")), "PRIVATE KEY") != block(text, "PRIVATE KEY"));
}

TEST_CASE("Credentials that cannot authenticate are refused by name", "[actors][tls]") {
  TempDir d;
  TlsCredentials::create(d.file("a.pem"), "a");
  TlsCredentials::create(d.file("b.pem"), "b");
  const std::string a = read_text(d.file("a.pem"));
  const std::string b = read_text(d.file("b.pem"));
  CHECK_THROWS_WITH(TlsCredentials::open(d.file("absent.pem")),
                    Contains("absent.pem: cannot open the credentials file"));
  write_text(d.file("garbage.pem"), "not a pem file\n");
  CHECK_THROWS_WITH(TlsCredentials::open(d.file("garbage.pem")),
                    Contains("garbage.pem: expected a PEM file with a private key and its "
                             "certificate (a run's tls.pem), found neither"));
  write_text(d.file("cert.pem"), block(a, "CERTIFICATE"));
  CHECK_THROWS_WITH(TlsCredentials::open(d.file("cert.pem")), Contains("found no private key"));
  write_text(d.file("key.pem"), block(a, "PRIVATE KEY"));
  CHECK_THROWS_WITH(TlsCredentials::open(d.file("key.pem")), Contains("found no certificate"));
  write_text(d.file("mixed.pem"), block(a, "PRIVATE KEY") + block(b, "CERTIFICATE"));
  CHECK_THROWS_WITH(TlsCredentials::open(d.file("mixed.pem")),
                    Contains("mixed.pem: the certificate is not the private key's"));
  TlsCredentials::create(d.file("old.pem"), "old", std::chrono::seconds(-60));
  CHECK_THROWS_WITH(TlsCredentials::open(d.file("old.pem")),
                    Contains("old.pem: the certificate is not valid now"));
  CHECK_THROWS_WITH(TlsCredentials::create(d.file("no/such/dir/x.pem"), "x"),
                    Contains("no/such/dir/x.pem: cannot create") &&
                        Contains("x.pem.tmp: No such file or directory"));
}
