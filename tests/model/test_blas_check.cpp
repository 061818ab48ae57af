#include <catch2/catch.hpp>

#include "model/core/blas_check.hpp"

using Catch::Matchers::Contains;
using evostream::model::BlasCheck;
using evostream::model::BlasReport;

TEST_CASE("BLAS libraries are classified as optimised or not", "[model]") {
  CHECK(BlasCheck::is_optimised("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"));
  CHECK(BlasCheck::is_optimised("/usr/lib/x86_64-linux-gnu/libopenblasp-r0.3.21.so"));
  CHECK(BlasCheck::is_optimised("/opt/intel/lib/libmkl_rt.so"));
  CHECK(BlasCheck::is_optimised("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3"));
  CHECK_FALSE(BlasCheck::is_optimised("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3"));
  CHECK_FALSE(BlasCheck::is_optimised(""));
}

TEST_CASE("A report on reference BLAS warns and names libopenblas0-pthread", "[model]") {
  BlasReport slow{"/usr/lib/x86_64-linux-gnu/blas/libblas.so.3", false, 4.8};
  CHECK_THAT(slow.warning(), Contains("libopenblas0-pthread"));
  CHECK_THAT(slow.warning(), Contains("blas/libblas.so.3"));
  CHECK_THAT(slow.summary(), Contains("not an optimised BLAS"));
  BlasReport fast{"/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3", true, 95.0};
  CHECK(fast.warning().empty());
}

TEST_CASE("The check finds the BLAS this process runs on and times it", "[model]") {
  const BlasReport r = BlasCheck::run();
  INFO(r.summary());
  CHECK_FALSE(r.library.empty());
  CHECK(r.gflops > 0.0);
  // scripts/install-deps installs libopenblas0-pthread, so the test machine must run on it.
  CHECK(r.optimised);
}
