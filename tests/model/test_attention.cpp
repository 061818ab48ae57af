#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "model/attention.hpp"

using evostream::model::Attention;

namespace {

// Multi-head attention from ATen's generic operations: the reference.
at::Tensor reference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, int64_t heads) {
  const int64_t n = q.size(0);
  const int64_t d = q.size(2);
  const int64_t hd = d / heads;
  auto split = [&](const at::Tensor& x) {
    return x.reshape({n, x.size(1), heads, hd}).transpose(1, 2);
  };
  at::Tensor s =
      at::matmul(split(q), split(k).transpose(-2, -1)) / std::sqrt(static_cast<double>(hd));
  return at::matmul(at::softmax(s, -1), split(v)).transpose(1, 2).reshape({n, q.size(1), d});
}

void compare(int64_t n, int64_t tq, int64_t t, int64_t d, int64_t heads) {
  INFO("n " << n << " tq " << tq << " t " << t << " d " << d << " heads " << heads);
  at::manual_seed(n * 1000 + t * 10 + heads);
  // q, k, v as views into one projection, as the blocks pass them.
  at::Tensor base = at::randn({n, t, 3 * d}, at::kDouble).to(at::kFloat).requires_grad_(true);
  at::Tensor q = base.narrow(2, 0, d).narrow(1, 0, tq);
  at::Tensor k = base.narrow(2, d, d);
  at::Tensor v = base.narrow(2, 2 * d, d);
  at::Tensor g = at::randn({n, tq, d});

  at::Tensor out = Attention::apply(q, k, v, heads);
  out.backward(g);
  const at::Tensor grad = base.grad().clone();
  base.mutable_grad().zero_();
  at::Tensor ref = reference(q, k, v, heads);
  ref.backward(g);
  CHECK(at::allclose(out, ref, 1e-4, 1e-5));
  CHECK(at::allclose(grad, base.grad(), 1e-4, 1e-5));
}

}  // namespace

TEST_CASE("Hand-written attention matches ATen's in value and gradients", "[model]") {
  compare(3, 50, 50, 64, 4);   // vit-tiny: head width 16
  compare(2, 1, 50, 64, 4);    // the class-token-only last block
  compare(2, 17, 17, 64, 2);   // head width 32, tokens not a multiple of 16
  compare(2, 10, 10, 128, 2);  // head width 64
  compare(2, 9, 9, 24, 3);     // head width 8: the general loops
  compare(1, 5, 5, 20, 4);     // head width 5
}

TEST_CASE("Attention refuses inputs it cannot read", "[model]") {
  const at::Tensor x = at::randn({2, 5, 8});
  CHECK_THROWS(Attention::apply(x.transpose(1, 2), x, x, 2));
  CHECK_THROWS(Attention::apply(x.to(at::kDouble), x, x, 2));
}
