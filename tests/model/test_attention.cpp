#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "model/nn/vit/activation.hpp"
#include "model/nn/vit/attention.hpp"
#include "model/nn/vit/layer_norm.hpp"

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
  at::Tensor g = at::randn({n, tq, d});
  if (tq == t) {
    // Self-attention over a packed projection, as the blocks call it.
    at::Tensor qkv = at::randn({n, t, 3 * d}).requires_grad_(true);
    at::Tensor out = Attention::packed(qkv, heads);
    out.backward(g);
    const at::Tensor grad = qkv.grad().clone();
    qkv.mutable_grad().zero_();
    at::Tensor ref =
        reference(qkv.narrow(2, 0, d), qkv.narrow(2, d, d), qkv.narrow(2, 2 * d, d), heads);
    ref.backward(g);
    CHECK(at::allclose(out, ref, 1e-4, 1e-5));
    CHECK(at::allclose(grad, qkv.grad(), 1e-4, 1e-5));
  } else {
    // Separate queries (the class token) over packed keys and values; q is a strided view.
    at::Tensor qbase = at::randn({n, t, 2 * d}).requires_grad_(true);
    at::Tensor q = qbase.narrow(2, 0, d).narrow(1, 0, tq);
    at::Tensor kv = at::randn({n, t, 2 * d}).requires_grad_(true);
    at::Tensor out = Attention::split(q, kv, heads);
    out.backward(g);
    const at::Tensor gq = qbase.grad().clone();
    const at::Tensor gkv = kv.grad().clone();
    qbase.mutable_grad().zero_();
    kv.mutable_grad().zero_();
    at::Tensor ref = reference(q, kv.narrow(2, 0, d), kv.narrow(2, d, d), heads);
    ref.backward(g);
    CHECK(at::allclose(out, ref, 1e-4, 1e-5));
    CHECK(at::allclose(gq, qbase.grad(), 1e-4, 1e-5));
    CHECK(at::allclose(gkv, kv.grad(), 1e-4, 1e-5));
  }
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
  const at::Tensor x = at::randn({2, 5, 12});
  CHECK_THROWS_WITH(Attention::packed(x.transpose(1, 2), 2), Catch::Contains("must be contiguous"));
  CHECK_THROWS_WITH(Attention::packed(x.to(at::kDouble), 2), Catch::Contains("float CPU tensor"));
  CHECK_THROWS_WITH(Attention::packed(x, 5), Catch::Contains("not a multiple of 15"));
  CHECK_THROWS_WITH(Attention::split(x.narrow(2, 0, 4), x, 2), Catch::Contains("kv must be"));
}

TEST_CASE("The fused tanh-GELU matches ATen's in value and gradient", "[model]") {
  using evostream::model::Activation;
  at::manual_seed(4);
  // Wide enough to reach the clamped tails of tanh.
  at::Tensor x = (at::randn({3, 7, 129}) * 6.0).requires_grad_(true);
  at::Tensor g = at::randn({3, 7, 129});
  at::Tensor y = Activation::tanh_gelu(x);
  y.backward(g);
  const at::Tensor dx = x.grad().clone();
  x.mutable_grad().zero_();
  at::Tensor ref = at::gelu(x, "tanh");
  ref.backward(g);
  CHECK(at::allclose(y, ref, 1e-5, 1e-5));
  CHECK(at::allclose(dx, x.grad(), 1e-4, 1e-5));
  CHECK_THROWS(Activation::tanh_gelu(x.to(at::kDouble)));
}

TEST_CASE("The fused layer norm matches ATen's in value and gradients", "[model]") {
  using evostream::model::LayerNorm;
  for (int64_t d : {64, 20}) {  // vector rows and plain-loop rows
    INFO("width " << d);
    at::manual_seed(d);
    at::Tensor x = (at::randn({5, 7, d}) * 3.0 + 1.0).requires_grad_(true);
    at::Tensor w = at::randn({d}).requires_grad_(true);
    at::Tensor b = at::randn({d}).requires_grad_(true);
    at::Tensor g = at::randn({5, 7, d});
    LayerNorm::apply(x, w, b, 1e-6).backward(g);
    const at::Tensor dx = x.grad().clone();
    const at::Tensor dw = w.grad().clone();
    const at::Tensor db = b.grad().clone();
    for (auto* t : {&x, &w, &b})
      t->mutable_grad().zero_();
    at::Tensor ref = at::layer_norm(x, {d}, w, b, 1e-6);
    ref.backward(g);
    CHECK(at::allclose(LayerNorm::apply(x, w, b, 1e-6), ref, 1e-5, 1e-5));
    CHECK(at::allclose(dx, x.grad(), 1e-4, 1e-4));
    CHECK(at::allclose(dw, w.grad(), 1e-4, 1e-4));
    CHECK(at::allclose(db, b.grad(), 1e-4, 1e-4));
  }
  // A strided view (the final norm reads the class token of every image).
  at::Tensor tokens = at::randn({4, 9, 32});
  const at::Tensor cls = tokens.select(1, 0);
  CHECK(at::allclose(LayerNorm::apply(cls, at::ones({32}), at::zeros({32}), 1e-6),
                     at::layer_norm(cls, {32}, at::ones({32}), at::zeros({32}), 1e-6), 1e-5, 1e-5));
  CHECK_THROWS(LayerNorm::apply(tokens, at::ones({31}), at::zeros({32}), 1e-6));
}

TEST_CASE("The generic attention used off the CPU equals the fused kernels", "[model]") {
  at::manual_seed(9);
  at::Tensor qkv = at::randn({3, 11, 96});
  const at::Tensor fused = Attention::packed(qkv, 2);
  const at::Tensor generic =
      Attention::reference(qkv.narrow(2, 0, 32), qkv.narrow(2, 32, 32), qkv.narrow(2, 64, 32), 2);
  CHECK(at::allclose(fused, generic, 1e-4, 1e-5));
}
