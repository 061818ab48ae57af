#include "model/nn/masked/masked_factory.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "common/rng.hpp"

namespace evostream::model {

namespace {

at::Tensor longs(std::vector<int64_t> values) {
  return at::tensor(values, at::kLong);
}

// Packs a 0/1 mask into bits, row-major, least significant bit first.
at::Tensor pack_bits(const at::Tensor& mask) {
  const at::Tensor m = mask.detach().to(at::kCPU).to(at::kFloat).contiguous();
  const int64_t n = m.numel();
  at::Tensor bits = at::zeros({(n + 7) / 8}, at::kByte);
  const float* src = m.data_ptr<float>();
  uint8_t* dst = bits.data_ptr<uint8_t>();
  for (int64_t i = 0; i < n; ++i) {
    if (src[i] != 0.0f)
      dst[i / 8] = static_cast<uint8_t>(dst[i / 8] | (1u << (i % 8)));
  }
  return bits;
}

at::Tensor unpack_bits(const at::Tensor& bits, int64_t rows, int64_t cols) {
  const int64_t n = rows * cols;
  if (bits.numel() != (n + 7) / 8) {
    throw std::invalid_argument(fmt::format("packed mask: expected {} bytes for {}×{}, found {}",
                                            (n + 7) / 8, rows, cols, bits.numel()));
  }
  const at::Tensor b = bits.to(at::kCPU).contiguous();
  at::Tensor out = at::empty({rows, cols}, at::kFloat);
  const uint8_t* src = b.data_ptr<uint8_t>();
  float* dst = out.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i)
    dst[i] = static_cast<float>((src[i / 8] >> (i % 8)) & 1u);
  return out;
}

// The kept weights of `scores`: the `keep` of largest |score|, or with 0 the non-negative ones.
at::Tensor hard_mask(const at::Tensor& scores, int64_t keep) {
  at::NoGradGuard no_grad;
  if (keep <= 0)
    return (scores >= 0).to(scores.scalar_type());
  const at::Tensor flat = scores.detach().abs().flatten();
  if (keep > flat.numel()) {
    throw std::invalid_argument(fmt::format("mask: keeps {} of {} weights", keep, flat.numel()));
  }
  const at::Tensor idx = std::get<1>(at::topk(flat, keep, 0, true, false));
  return at::zeros_like(flat).index_fill_(0, idx, 1.0).view_as(scores);
}

int64_t scalar(const Component& c, const std::string& name) {
  const at::Tensor& t = c.tensor(name);
  if (t.scalar_type() != at::kLong || t.numel() != 1) {
    throw std::invalid_argument(
        fmt::format("component {}: expected {} to be one int64, found {} "
                    "values of type {}",
                    c.id(), name, t.numel(), c10::toString(t.scalar_type())));
  }
  return t.to(at::kCPU).item<int64_t>();
}

// The largest layer a component may describe: 2^31 weights (8 GiB of floats).
constexpr int64_t kMostWeights = int64_t{1} << 31;

// The shape tensor `name` of `c`: two positive int64 whose product is at most kMostWeights.
std::vector<int64_t> checked_shape(const Component& c, const std::string& name) {
  const at::Tensor& t = c.tensor(name);
  if (t.scalar_type() != at::kLong || t.numel() != 2) {
    throw std::invalid_argument(fmt::format(
        "component {}: expected {} to be two int64 (rows, columns), found {} values of type {}",
        c.id(), name, t.numel(), c10::toString(t.scalar_type())));
  }
  const at::Tensor cpu = t.to(at::kCPU).contiguous();
  const int64_t rows = cpu.data_ptr<int64_t>()[0];
  const int64_t cols = cpu.data_ptr<int64_t>()[1];
  if (rows < 1 || cols < 1 || rows > kMostWeights / cols) {
    throw std::invalid_argument(
        fmt::format("component {}: expected a shape of 1 to {} weights, "
                    "found {}×{}",
                    c.id(), kMostWeights, rows, cols));
  }
  return {rows, cols};
}

}  // namespace

std::vector<Component> MaskedFactory::root(const config::ArchitectureSpec& arch, uint64_t seed) {
  std::vector<Component> out;
  int64_t in = arch.image_size * arch.image_size * arch.channels;
  std::vector<int64_t> widths = arch.hidden;
  widths.push_back(arch.classes);
  for (size_t l = 0; l < widths.size(); ++l) {
    out.push_back(random_layer(static_cast<int64_t>(l), widths[l], in, seed));
    in = widths[l];
  }
  return out;
}

Component MaskedFactory::random_layer(int64_t index, int64_t rows, int64_t cols, uint64_t seed) {
  const uint64_t layer_seed =
      common::Rng::derive({seed, 0x5e1ec7, static_cast<uint64_t>(index)}).next_u64();
  return Component(derived_id("root", ComponentKind::kRandomLinear, index, ""),
                   ComponentKind::kRandomLinear, index, "root", "", {"seed", "shape"},
                   {longs({static_cast<int64_t>(layer_seed >> 1)}), longs({rows, cols})});
}

at::Tensor MaskedFactory::weights(const Component& random_layer) {
  const auto shape = checked_shape(random_layer, "shape");
  const int64_t out = shape[0];
  const int64_t in = shape[1];
  common::Rng rng(static_cast<uint64_t>(scalar(random_layer, "seed")));
  const auto value = static_cast<float>(std::sqrt(2.0 / static_cast<double>(in)));
  at::Tensor w = at::empty({out, in}, at::kFloat);
  float* p = w.data_ptr<float>();
  const int64_t n = out * in;
  uint64_t word = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (i % 64 == 0)
      word = rng.next_u64();
    p[i] = (word >> (i % 64)) & 1u ? value : -value;
  }
  return w;
}

Component MaskedFactory::scores(const std::string& id, const std::string& owner, int64_t index,
                                int64_t rows, int64_t cols, int64_t keep, uint64_t seed) {
  common::Rng rng(seed);
  const double bound = 1.0 / std::sqrt(static_cast<double>(cols));
  at::Tensor s = at::empty({rows, cols}, at::kFloat);
  float* p = s.data_ptr<float>();
  for (int64_t i = 0; i < rows * cols; ++i)
    p[i] = static_cast<float>((2.0 * rng.uniform01() - 1.0) * bound);
  return Component(id, ComponentKind::kMask, index, owner, "", {"scores", "keep"},
                   {s, longs({keep})});
}

Component MaskedFactory::random_mask(const std::string& id, const std::string& owner, int64_t index,
                                     int64_t rows, int64_t cols, int64_t keep, uint64_t seed) {
  return packed(scores(id, owner, index, rows, cols, keep, seed));
}

Component MaskedFactory::alpha(const std::string& id, const std::string& owner, int64_t index,
                               int64_t k) {
  return Component(id, ComponentKind::kAlpha, index, owner, "", {"alpha"},
                   {at::full({k}, 1.0 / static_cast<double>(k), at::kFloat)});
}

std::vector<int64_t> MaskedFactory::layer_shape(const Component& random_layer) {
  return checked_shape(random_layer, "shape");
}

int64_t MaskedFactory::kept(const Component& mask) {
  return scalar(mask, "keep");
}

bool MaskedFactory::is_packed(const Component& mask) {
  const auto& names = mask.names();
  return std::find(names.begin(), names.end(), "bits") != names.end();
}

std::vector<int64_t> MaskedFactory::shape_of(const Component& mask) {
  if (!is_packed(mask)) {
    const at::Tensor& s = mask.tensor("scores");
    if (s.dim() != 2)
      throw std::invalid_argument(
          fmt::format("component {}: expected scores [rows, columns], "
                      "found {} dimensions",
                      mask.id(), s.dim()));
    return {s.size(0), s.size(1)};
  }
  return checked_shape(mask, "shape");
}

at::Tensor MaskedFactory::mask_of(const Component& mask) {
  if (is_packed(mask)) {
    const auto shape = shape_of(mask);
    return unpack_bits(mask.tensor("bits"), shape[0], shape[1]);
  }
  return hard_mask(mask.tensor("scores"), scalar(mask, "keep"));
}

Component MaskedFactory::packed(const Component& mask) {
  if (is_packed(mask))
    return mask;
  const auto shape = shape_of(mask);
  return Component(mask.id(), ComponentKind::kMask, mask.index(), mask.owner(), mask.parent(),
                   {"bits", "shape"}, {pack_bits(mask_of(mask)), longs(shape)});
}

}  // namespace evostream::model
