#include "model/nn/vit/attention.hpp"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <vector>

#include "model/nn/vit/simd.hpp"

namespace evostream::model {

namespace {

/// Where an [N, T, D] tensor's rows live (last dimension contiguous).
struct Tokens {
  float* data;
  int64_t sn;  // stride between images
  int64_t st;  // stride between tokens

  float* row(int64_t n, int64_t t) const { return data + n * sn + t * st; }
};

Tokens tokens_of(const at::Tensor& x) {
  return {x.data_ptr<float>(), x.stride(0), x.stride(1)};
}

// The kernels below work on one (image, head) pair at a time so that scores, probabilities and
// their gradients stay in L1-sized scratch. HD is the head width when known at compile time (the
// loops then unroll into registers), 0 for any other width. One clone per instruction set is
// picked at load time; this file is built with -ffast-math so that expf vectorises (libmvec).

using simd::kLanes;
using simd::load;
using simd::store;
using simd::Vec;

// x[0..t) = exp(x - max) / sum: a softmax row in place.
inline void softmax_row(float* __restrict__ x, int64_t t) {
  float m = x[0];
  for (int64_t j = 1; j < t; ++j)
    m = x[j] > m ? x[j] : m;
  float sum = 0.0f;
  for (int64_t j = 0; j < t; ++j) {
    x[j] = expf(x[j] - m);
    sum += x[j];
  }
  const float inv = 1.0f / sum;
  for (int64_t j = 0; j < t; ++j)
    x[j] *= inv;
}

// out[0..hd) = alpha · Σ_k a[k · sa] · rows[k][0..hd), with rows `stride` apart. HD is the head
// width when it is a multiple of 16 (register accumulators), 0 otherwise.
template <int HD>
inline void weighted_rows(const float* a, int64_t sa, int64_t kdim, const float* rows,
                          int64_t stride, int64_t hd_runtime, float alpha,
                          float* __restrict__ out) {
  if constexpr (HD > 0) {
    constexpr int kVecs = HD / kLanes;
    Vec even[kVecs] = {};
    Vec odd[kVecs] = {};
    int64_t k = 0;
    for (; k + 2 <= kdim; k += 2) {
      const float s0 = a[k * sa];
      const float s1 = a[(k + 1) * sa];
      const float* r0 = rows + k * stride;
      const float* r1 = r0 + stride;
      for (int v = 0; v < kVecs; ++v) {
        even[v] += s0 * load(r0 + v * kLanes);
        odd[v] += s1 * load(r1 + v * kLanes);
      }
    }
    if (k < kdim) {
      const float s0 = a[k * sa];
      const float* r0 = rows + k * stride;
      for (int v = 0; v < kVecs; ++v)
        even[v] += s0 * load(r0 + v * kLanes);
    }
    for (int v = 0; v < kVecs; ++v)
      store(out + v * kLanes, alpha * (even[v] + odd[v]));
  } else {
    for (int64_t j = 0; j < hd_runtime; ++j)
      out[j] = 0.0f;
    for (int64_t k = 0; k < kdim; ++k) {
      const float s = alpha * a[k * sa];
      const float* r = rows + k * stride;
      for (int64_t j = 0; j < hd_runtime; ++j)
        out[j] += s * r[j];
    }
  }
}

// out[0..t) = alpha · Σ_c x[c] · cols[c][0..t) for a head-transposed block `cols` of
// [hd, tpad] with tpad a multiple of 16 (zero-padded); out must have room for tpad floats.
inline void row_times_transposed(const float* x, int64_t hd, const float* cols, int64_t tpad,
                                 float alpha, float* __restrict__ out) {
  for (int64_t b = 0; b < tpad; b += kLanes) {
    Vec even = {};
    Vec odd = {};
    int64_t c = 0;
    for (; c + 2 <= hd; c += 2) {
      even += x[c] * load(cols + c * tpad + b);
      odd += x[c + 1] * load(cols + (c + 1) * tpad + b);
    }
    if (c < hd)
      even += x[c] * load(cols + c * tpad + b);
    store(out + b, alpha * (even + odd));
  }
}

// R rows at once: out_r[0..HD) = alpha · Σ_k a[r · ar + k · ak] · rows[k][0..HD) for r < R, so
// each loaded row of `rows` feeds R accumulators.
template <int HD, int R>
inline void weighted_rows_block(const float* a, int64_t ar, int64_t ak, int64_t kdim,
                                const float* rows, int64_t stride, float alpha, float* out,
                                int64_t out_stride) {
  constexpr int kVecs = HD / kLanes;
  Vec acc[R][kVecs] = {};
  for (int64_t k = 0; k < kdim; ++k) {
    const float* row = rows + k * stride;
    Vec v[kVecs];
    for (int w = 0; w < kVecs; ++w)
      v[w] = load(row + w * kLanes);
    for (int r = 0; r < R; ++r) {
      const float s = a[r * ar + k * ak];
      for (int w = 0; w < kVecs; ++w)
        acc[r][w] += s * v[w];
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int w = 0; w < kVecs; ++w)
      store(out + r * out_stride + w * kLanes, alpha * acc[r][w]);
  }
}

// `count` rows: blocks of four through `weighted_rows_block`, the rest one by one.
template <int HD>
inline void weighted_rows_many(int64_t count, const float* a, int64_t ar, int64_t ak, int64_t kdim,
                               const float* rows, int64_t stride, int64_t hd, float alpha,
                               float* out, int64_t out_stride) {
  int64_t r = 0;
  if constexpr (HD > 0) {
    for (; r + 4 <= count; r += 4) {
      weighted_rows_block<HD, 4>(a + r * ar, ar, ak, kdim, rows, stride, alpha,
                                 out + r * out_stride, out_stride);
    }
  }
  for (; r < count; ++r) {
    weighted_rows<HD>(a + r * ar, ak, kdim, rows, stride, hd, alpha, out + r * out_stride);
  }
}

// Four rows at once of `row_times_transposed`: x rows `xs` apart, out rows `tpad` apart.
inline void rows_times_transposed4(const float* x, int64_t xs, int64_t hd, const float* cols,
                                   int64_t tpad, float alpha, float* __restrict__ out) {
  for (int64_t b = 0; b < tpad; b += kLanes) {
    Vec acc0 = {};
    Vec acc1 = {};
    Vec acc2 = {};
    Vec acc3 = {};
    for (int64_t c = 0; c < hd; ++c) {
      const Vec col = load(cols + c * tpad + b);
      acc0 += x[c] * col;
      acc1 += x[xs + c] * col;
      acc2 += x[2 * xs + c] * col;
      acc3 += x[3 * xs + c] * col;
    }
    store(out + b, alpha * acc0);
    store(out + tpad + b, alpha * acc1);
    store(out + 2 * tpad + b, alpha * acc2);
    store(out + 3 * tpad + b, alpha * acc3);
  }
}

// Copies head h of token rows [t, D] into a [hd, tpad] block (columns past t stay zero).
inline void transpose_head(Tokens x, int64_t n, int64_t h, int64_t hd, int64_t t, int64_t tpad,
                           float* out) {
  for (int64_t j = 0; j < t; ++j) {
    const float* r = x.row(n, j) + h * hd;
    for (int64_t c = 0; c < hd; ++c)
      out[c * tpad + j] = r[c];
  }
}

int64_t padded(int64_t t) {
  return (t + kLanes - 1) / kLanes * kLanes;
}

template <int HD>
__attribute__((target_clones("avx512f", "avx2", "default"))) void attention_forward(
    int64_t images, int64_t heads, int64_t hd_runtime, int64_t tq, int64_t t, Tokens q, Tokens k,
    Tokens v, float scale, float* probs, Tokens out) {
  const int64_t hd = HD > 0 ? HD : hd_runtime;
  const int64_t tpad = padded(t);
  std::vector<float> kt(static_cast<size_t>(hd * tpad), 0.0f);
  std::vector<float> rows(static_cast<size_t>(4 * tpad));
  for (int64_t n = 0; n < images; ++n) {
    for (int64_t h = 0; h < heads; ++h) {
      transpose_head(k, n, h, hd, t, tpad, kt.data());
      float* p = probs + (n * heads + h) * tq * t;
      // Scores and softmax, four query rows at a time where possible.
      for (int64_t i = 0; i < tq;) {
        const int64_t count = i + 4 <= tq ? 4 : 1;
        const float* qrow = q.row(n, i) + h * hd;
        if (count == 4) {
          rows_times_transposed4(qrow, q.st, hd, kt.data(), tpad, scale, rows.data());
        } else {
          row_times_transposed(qrow, hd, kt.data(), tpad, scale, rows.data());
        }
        for (int64_t r = 0; r < count; ++r) {
          float* row = rows.data() + r * tpad;
          softmax_row(row, t);
          float* prow = p + (i + r) * t;
          for (int64_t j = 0; j < t; ++j)
            prow[j] = row[j];
        }
        i += count;
      }
      // Out = P · V.
      weighted_rows_many<HD>(tq, p, t, 1, t, v.row(n, 0) + h * hd, v.st, hd, 1.0f,
                             out.row(n, 0) + h * hd, out.st);
    }
  }
}

template <int HD>
__attribute__((target_clones("avx512f", "avx2", "default"))) void attention_backward(
    int64_t images, int64_t heads, int64_t hd_runtime, int64_t tq, int64_t t, Tokens q, Tokens k,
    Tokens v, const float* probs, Tokens dout, float scale, Tokens dq, Tokens dk, Tokens dv) {
  const int64_t hd = HD > 0 ? HD : hd_runtime;
  const int64_t tpad = padded(t);
  std::vector<float> vt(static_cast<size_t>(hd * tpad), 0.0f);
  std::vector<float> ds(static_cast<size_t>(tq * tpad));  // rows tpad apart
  for (int64_t n = 0; n < images; ++n) {
    for (int64_t h = 0; h < heads; ++h) {
      transpose_head(v, n, h, hd, t, tpad, vt.data());
      const float* p = probs + (n * heads + h) * tq * t;
      // dP = dO · Vᵀ, four rows at a time where possible.
      for (int64_t i = 0; i < tq;) {
        const int64_t count = i + 4 <= tq ? 4 : 1;
        const float* drow = dout.row(n, i) + h * hd;
        float* dsrow = ds.data() + i * tpad;
        if (count == 4) {
          rows_times_transposed4(drow, dout.st, hd, vt.data(), tpad, 1.0f, dsrow);
        } else {
          row_times_transposed(drow, hd, vt.data(), tpad, 1.0f, dsrow);
        }
        i += count;
      }
      // dS = P ⊙ (dP − ⟨P, dP⟩), row by row.
      for (int64_t i = 0; i < tq; ++i) {
        float* dsrow = ds.data() + i * tpad;
        const float* prow = p + i * t;
        float dot = 0.0f;
        for (int64_t j = 0; j < t; ++j)
          dot += prow[j] * dsrow[j];
        for (int64_t j = 0; j < t; ++j)
          dsrow[j] = prow[j] * (dsrow[j] - dot);
      }
      // dQ = scale · dS · K; dK = scale · dSᵀ · Q; dV = Pᵀ · dO.
      weighted_rows_many<HD>(tq, ds.data(), tpad, 1, t, k.row(n, 0) + h * hd, k.st, hd, scale,
                             dq.row(n, 0) + h * hd, dq.st);
      weighted_rows_many<HD>(t, ds.data(), 1, tpad, tq, q.row(n, 0) + h * hd, q.st, hd, scale,
                             dk.row(n, 0) + h * hd, dk.st);
      weighted_rows_many<HD>(t, p, 1, t, tq, dout.row(n, 0) + h * hd, dout.st, hd, 1.0f,
                             dv.row(n, 0) + h * hd, dv.st);
    }
  }
}

// Runs `kernel<HD>` with HD the compile-time head width when it is a common one.
#define EVOSTREAM_DISPATCH_HEAD_WIDTH(hd, kernel, ...) \
  switch (hd) {                                        \
    case 16:                                           \
      kernel<16>(__VA_ARGS__);                         \
      break;                                           \
    case 32:                                           \
      kernel<32>(__VA_ARGS__);                         \
      break;                                           \
    case 64:                                           \
      kernel<64>(__VA_ARGS__);                         \
      break;                                           \
    default:                                           \
      kernel<0>(__VA_ARGS__);                          \
      break;                                           \
  }

void check_input(const at::Tensor& x, const char* name, int64_t width_multiple) {
  TORCH_CHECK(x.dim() == 3 && x.scalar_type() == at::kFloat && x.device().is_cpu(),
              "Attention: ", name, " must be a 3-d float CPU tensor");
  TORCH_CHECK(x.stride(2) == 1, "Attention: ", name, "'s last dimension must be contiguous");
  TORCH_CHECK(x.size(2) % width_multiple == 0, "Attention: ", name, "'s width ", x.size(2),
              " is not a multiple of ", width_multiple);
}

Tokens shifted(Tokens t, int64_t columns) {
  t.data += columns;
  return t;
}

// Inputs: (qkv, qkv, packed = true), or (q, kv, packed = false).
class AttentionFunction : public torch::autograd::Function<AttentionFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& qsrc,
                            const at::Tensor& kv, int64_t heads, bool packed) {
    check_input(qsrc, packed ? "qkv" : "q", packed ? 3 * heads : heads);
    if (!packed)
      check_input(kv, "kv", 2 * heads);
    const at::Tensor& kvsrc = packed ? qsrc : kv;
    const int64_t n = qsrc.size(0);
    const int64_t tq = qsrc.size(1);
    const int64_t t = kvsrc.size(1);
    const int64_t d = packed ? qsrc.size(2) / 3 : qsrc.size(2);
    TORCH_CHECK(packed || kv.size(2) == 2 * d, "Attention: kv must be [N, T, 2 × ", d, "]");
    const int64_t hd = d / heads;
    const auto scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
    const Tokens q = tokens_of(qsrc);
    const Tokens k = shifted(tokens_of(kvsrc), packed ? d : 0);
    const Tokens v = shifted(tokens_of(kvsrc), packed ? 2 * d : d);

    at::Tensor probs = at::empty({n, heads, tq, t}, qsrc.options());
    at::Tensor out = at::empty({n, tq, d}, qsrc.options());
    EVOSTREAM_DISPATCH_HEAD_WIDTH(hd, attention_forward, n, heads, hd, tq, t, q, k, v, scale,
                                  probs.data_ptr<float>(), tokens_of(out));
    ctx->save_for_backward({qsrc, kv, probs});
    ctx->saved_data["heads"] = heads;
    ctx->saved_data["packed"] = packed;
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& qsrc = saved[0];
    const at::Tensor& kv = saved[1];
    const at::Tensor& probs = saved[2];
    const bool packed = ctx->saved_data["packed"].toBool();
    const at::Tensor& kvsrc = packed ? qsrc : kv;
    const int64_t heads = ctx->saved_data["heads"].toInt();
    const at::Tensor dout = grads[0].contiguous();
    const int64_t n = qsrc.size(0);
    const int64_t tq = qsrc.size(1);
    const int64_t t = kvsrc.size(1);
    const int64_t d = packed ? qsrc.size(2) / 3 : qsrc.size(2);
    const int64_t hd = d / heads;
    const auto scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
    const Tokens q = tokens_of(qsrc);
    const Tokens k = shifted(tokens_of(kvsrc), packed ? d : 0);
    const Tokens v = shifted(tokens_of(kvsrc), packed ? 2 * d : d);

    // The kernel writes every element of dq, dk and dv: no zero fill needed.
    at::Tensor dq = at::empty(qsrc.sizes(), qsrc.options());
    at::Tensor dkv = packed ? dq : at::empty(kv.sizes(), kv.options());
    EVOSTREAM_DISPATCH_HEAD_WIDTH(hd, attention_backward, n, heads, hd, tq, t, q, k, v,
                                  probs.data_ptr<float>(), tokens_of(dout), scale, tokens_of(dq),
                                  shifted(tokens_of(dkv), packed ? d : 0),
                                  shifted(tokens_of(dkv), packed ? 2 * d : d));
    return {dq, packed ? at::Tensor() : dkv, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor Attention::packed(const at::Tensor& qkv, int64_t heads) {
  if (!qkv.device().is_cpu()) {
    const int64_t d = qkv.size(2) / 3;
    return reference(qkv.narrow(2, 0, d), qkv.narrow(2, d, d), qkv.narrow(2, 2 * d, d), heads);
  }
  return AttentionFunction::apply(qkv, qkv, heads, true);
}

at::Tensor Attention::split(const at::Tensor& q, const at::Tensor& kv, int64_t heads) {
  if (!q.device().is_cpu()) {
    const int64_t d = q.size(2);
    return reference(q, kv.narrow(2, 0, d), kv.narrow(2, d, d), heads);
  }
  return AttentionFunction::apply(q, kv, heads, false);
}

at::Tensor Attention::reference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                int64_t heads) {
  const int64_t n = q.size(0);
  const int64_t d = q.size(2);
  const int64_t hd = d / heads;
  auto split_heads = [&](const at::Tensor& x) {
    return x.reshape({n, x.size(1), heads, hd}).transpose(1, 2);  // [N, H, T, hd]
  };
  const at::Tensor scores = at::matmul(split_heads(q), split_heads(k).transpose(-2, -1)) *
                            (1.0 / std::sqrt(static_cast<double>(hd)));
  return at::matmul(at::softmax(scores, -1), split_heads(v))
      .transpose(1, 2)
      .reshape({n, q.size(1), d});
}

}  // namespace evostream::model
