#include "actors/tls_credentials.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "storage/atomic_file.hpp"
#include "storage/storage_error.hpp"

namespace evostream::actors {

namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Ext = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

// OpenSSL's queued errors, as one string.
std::string ssl_errors() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? "no detail" : out;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(fmt::format("{}: {} ({})", path, what, ssl_errors()));
}

void add_extension(X509* cert, int nid, const char* value, const std::string& path) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  const Ext ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    fail(path, fmt::format("cannot add the certificate extension {}", value));
}

}  // namespace

TlsCredentials TlsCredentials::create(const std::string& path, const std::string& common_name,
                                      std::chrono::seconds valid) {
  const Key key(EVP_EC_gen("P-256"));
  if (!key)
    fail(path, "cannot generate a key");
  const Cert cert(X509_new());
  unsigned char serial[16];
  if (!cert || RAND_bytes(serial, sizeof serial) != 1)
    fail(path, "cannot start a certificate");
  serial[0] &= 0x7f;  // a positive serial number
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  const bool serial_set = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!serial_set || X509_set_version(cert.get(), 2) != 1 ||
      !X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(valid.count())) ||
      X509_set_pubkey(cert.get(), key.get()) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    fail(path, "cannot fill in the certificate");
  }
  // Its own authority: each side trusts exactly this certificate.
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE", path);
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign", path);
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth,clientAuth", path);
  add_extension(cert.get(), NID_subject_key_identifier, "hash", path);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    fail(path, "cannot sign the certificate");

  const Bio mem(BIO_new(BIO_s_mem()));
  if (!mem ||
      PEM_write_bio_PrivateKey(mem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_X509(mem.get(), cert.get()) != 1) {
    fail(path, "cannot encode the key and certificate");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(mem.get(), &data);
  // Whole or absent, readable by the owner alone.
  try {
    storage::write_atomically(path, data, static_cast<size_t>(size), 0600);
  } catch (const storage::StorageError& e) {
    throw std::runtime_error(e.what());
  }
  return TlsCredentials(path);
}

TlsCredentials TlsCredentials::open(const std::string& path) {
  const auto read = [&](auto reader) {
    const Bio file(BIO_new_file(path.c_str(), "r"));
    if (!file) {
      throw std::runtime_error(
          fmt::format("{}: cannot open the credentials file: {}", path, std::strerror(errno)));
    }
    return reader(file.get());
  };
  const Key key(read([](BIO* b) { return PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr); }));
  ERR_clear_error();
  const Cert cert(read([](BIO* b) { return PEM_read_bio_X509(b, nullptr, nullptr, nullptr); }));
  ERR_clear_error();
  if (!key || !cert) {
    throw std::runtime_error(fmt::format(
        "{}: expected a PEM file with a private key and its certificate (a run's tls.pem), "
        "found {}",
        path,
        !key && !cert ? "neither"
        : !key        ? "no private key"
                      : "no certificate"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error(fmt::format(
        "{}: the certificate is not the private key's: expected a matching pair", path));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) <= 0 ||
      X509_cmp_current_time(X509_get0_notBefore(cert.get())) >= 0) {
    throw std::runtime_error(
        fmt::format("{}: the certificate is not valid now (expired or not yet valid): create new "
                    "credentials with a new `evostream run`",
                    path));
  }
  return TlsCredentials(path);
}

}  // namespace evostream::actors
