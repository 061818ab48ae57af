#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "common/content_hash.hpp"

using evostream::common::ContentHash;

TEST_CASE("The same values fed in the same order give the same digest", "[common]") {
  const std::vector<int64_t> values = {3, -1, 7};
  CHECK(ContentHash().update("path").update(42).update(values).digest() ==
        ContentHash().update("path").update(42).update(values).digest());
  CHECK(ContentHash().update("path").update(42).digest() !=
        ContentHash().update(42).update("path").digest());
}

TEST_CASE("A string's length is part of the digest, so where strings split matters", "[common]") {
  CHECK(ContentHash().update(std::string("ab")).update(std::string("c")).digest() !=
        ContentHash().update(std::string("a")).update(std::string("bc")).digest());
  CHECK(ContentHash().update(std::vector<int64_t>{1, 2}).update(std::vector<int64_t>{}).digest() !=
        ContentHash().update(std::vector<int64_t>{1}).update(std::vector<int64_t>{2}).digest());
}

TEST_CASE("Bytes hash by value, whatever their alignment", "[common]") {
  const char text[] = "xthe same nine bytes and more";
  std::string copy(text + 1, 20);
  CHECK(ContentHash().update(text + 1, 20).digest() ==
        ContentHash().update(copy.data(), copy.size()).digest());
  CHECK(ContentHash().update(text + 1, 20).digest() != ContentHash().update(text + 1, 19).digest());
}

TEST_CASE("The hex form is the digest's sixteen lower-case digits", "[common]") {
  const ContentHash h = ContentHash().update(std::string("evostream")).update(2026);
  char expected[17];
  std::snprintf(expected, sizeof expected, "%016llx", static_cast<unsigned long long>(h.digest()));
  CHECK(h.hex() == expected);
  CHECK(ContentHash().hex().size() == 16);
}

TEST_CASE("A known input gives its known digest, as state hashes across machines need",
          "[common]") {
  const unsigned char bytes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  ContentHash h;
  h.update(std::string("evostream")).update(uint64_t{2026}).update(std::vector<int64_t>{1, -2, 3});
  h.update(bytes, sizeof bytes);
  CHECK(h.hex() == "0eb6c7a44b327d66");
}
