#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>

#include <catch2/catch.hpp>
#include <set>

#include "model/model_fixtures.hpp"
#include "model/nn/vit/timm_names.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "storage/root_source.hpp"
#include "storage/storage_error.hpp"
#include "storage/torch_state_dict.hpp"
#include "support/test_files.hpp"

using namespace evostream;
using Catch::Matchers::Contains;
using evostream::storage::RootSource;
using evostream::storage::StateDict;
using evostream::storage::TorchStateDict;
using evostream::testing::TempDir;

namespace {

StateDict root_state(int64_t classes = 3) {
  const auto root = model::VitFactory::root(testing::micro_arch(), classes, "root", 9);
  std::vector<const model::Component*> ptrs;
  for (const auto& c : root)
    ptrs.push_back(&c);
  return model::TimmNames::state_dict(ptrs);
}

}  // namespace

TEST_CASE("A ViT path has one timm name per tensor", "[storage][torch]") {
  auto root = model::VitFactory::root(testing::micro_arch(), 3, "root", 9);
  root.push_back(model::VitFactory::adapter("t/adapter1", "t", 1, 16, 4, 2));
  std::vector<const model::Component*> ptrs;
  for (const auto& c : root)
    ptrs.push_back(&c);
  const auto sd = model::TimmNames::state_dict(ptrs);
  std::set<std::string> names;
  for (const auto& [n, t] : sd)
    names.insert(n);
  CHECK(names.size() == sd.size());
  for (const char* n : {"patch_embed.proj.weight", "cls_token", "pos_embed", "blocks.0.norm1.bias",
                        "blocks.1.attn.qkv.weight", "blocks.1.attn.proj.bias",
                        "blocks.0.norm2.weight", "blocks.1.mlp.fc1.weight", "blocks.0.mlp.fc2.bias",
                        "norm.weight", "head.bias", "adapters.1.down.weight", "adapters.1.ln.bias"})
    CHECK(names.count(n) == 1);
  CHECK_THROWS_WITH(model::TimmNames::of(root.front(), "scale"),
                    Contains("no timm name for tensor \"scale\""));
}

TEST_CASE("A state dict written is read back tensor for tensor, in order", "[storage][torch]") {
  TempDir d;
  StateDict sd = root_state();
  sd.emplace_back("counts", at::arange(5, at::kLong));
  TorchStateDict::write(d.file("m.pt"), sd);
  const StateDict back = TorchStateDict::read(d.file("m.pt"));
  REQUIRE(back.size() == sd.size());
  for (size_t i = 0; i < sd.size(); ++i) {
    INFO(sd[i].first);
    CHECK(back[i].first == sd[i].first);
    CHECK(back[i].second.scalar_type() == sd[i].second.scalar_type());
    CHECK(at::equal(back[i].second, sd[i].second));
  }
}

TEST_CASE("A timm-named state dict imports as a root with its tensors", "[storage][torch]") {
  TempDir d;
  TorchStateDict::write(d.file("vit.pt"), root_state(4));
  const auto root = RootSource::import_torch(d.file("vit.pt"), testing::micro_arch());
  const auto expected = model::VitFactory::root(testing::micro_arch(), 4, "root", 9);
  REQUIRE(root.size() == expected.size());
  for (size_t i = 0; i < root.size(); ++i) {
    CHECK(root[i].id() == expected[i].id());
    for (size_t t = 0; t < root[i].tensors().size(); ++t)
      CHECK(at::equal(root[i].tensors()[t], expected[i].tensors()[t]));
  }
  // import_any tells the formats apart by content.
  CHECK(RootSource::import_any(d.file("vit.pt"), testing::micro_arch()).size() == root.size());
}

TEST_CASE("A state dict that does not fit the architecture names the tensor", "[storage][torch]") {
  TempDir d;
  const auto arch = testing::micro_arch();
  auto without = [](StateDict sd, const std::string& name) {
    sd.erase(std::remove_if(sd.begin(), sd.end(), [&](const auto& e) { return e.first == name; }),
             sd.end());
    return sd;
  };
  StateDict wide = root_state();
  for (auto& [n, t] : wide)
    if (n == "blocks.1.mlp.fc1.weight")
      t = at::zeros({64, 16});
  StateDict extra = root_state();
  extra.emplace_back("fc_norm.weight", at::ones({16}));
  struct Case {
    StateDict sd;
    std::string message;
  };
  const std::vector<Case> cases = {
      {without(root_state(), "norm.bias"),
       "norm.bias: expected a tensor of shape [16] (final_norm of vit-micro), found none"},
      {wide,
       "blocks.1.mlp.fc1.weight: expected a float tensor of shape [32, 16], found Float of "
       "shape [64, 16]"},
      {extra,
       "expected only the tensors of a vit-micro (dim 16, depth 2), found more: "
       "fc_norm.weight"},
      {without(root_state(), "head.weight"), "head.weight: expected the head's [classes, dim]"},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    TorchStateDict::write(d.file("bad.pt"), c.sd);
    CHECK_THROWS_WITH(RootSource::import_torch(d.file("bad.pt"), arch),
                      Contains(d.file("bad.pt")) && Contains(c.message));
  }
  auto masked = arch;
  masked.family = "masked-fc";
  TorchStateDict::write(d.file("ok.pt"), root_state());
  CHECK_THROWS_WITH(RootSource::import_torch(d.file("ok.pt"), masked),
                    Contains("expected root.architecture.family \"vit\""));
}

TEST_CASE("Files that are not PyTorch zip archives are refused by name", "[storage][torch]") {
  TempDir d;
  testing::write_bytes(d.file("legacy.pt"), {0x80, 0x02, 0x8a, 0x0a, 0x6c});
  CHECK_THROWS_WITH(TorchStateDict::read(d.file("legacy.pt")),
                    Contains("legacy.pt: expected PyTorch's zip format, found its legacy format"));
  testing::write_text(d.file("text.pt"), "weights");
  CHECK_THROWS_WITH(TorchStateDict::read(d.file("text.pt")),
                    Contains("expected PyTorch's zip format (torch.save), found another file"));
  testing::write_bytes(d.file("cut.pt"), {'P', 'K', 3, 4, 0, 0});
  CHECK_THROWS_WITH(TorchStateDict::read(d.file("cut.pt")),
                    Contains("cut.pt: expected PyTorch's zip format, found a broken archive"));
  CHECK_THROWS_WITH(TorchStateDict::read(d.file("absent.pt")),
                    Contains("absent.pt: expected a PyTorch file, found none"));
}

namespace {

// A torch.save-style zip archive holding `pickle` as data.pkl and `storage` as data/0.
void write_archive(const std::string& path, const std::string& pickle,
                   const std::string& storage = std::string(16, '\0')) {
  caffe2::serialize::PyTorchStreamWriter zip(path);
  zip.writeRecord("data.pkl", pickle.data(), pickle.size());
  zip.writeRecord("data/0", storage.data(), storage.size());
  zip.writeEndOfFile();
}

// The pickle of {"w": tensor} with a FloatStorage of `numel` elements and a view of `size`,
// `stride` (protocol 2, as torch.save writes it, without memo opcodes).
std::string tensor_pickle(const std::string& numel, const std::string& size,
                          const std::string& stride) {
  using namespace std::string_literals;
  return "\x80\x02}(X\x01\x00\x00\x00w"s + "ctorch._utils\n_rebuild_tensor_v2\n(" +
         "(X\x07\x00\x00\x00storage"s + "ctorch\nFloatStorage\n" + "X\x01\x00\x00\x00"s + "0" +
         "X\x03\x00\x00\x00"s + "cpu" + numel + "tQ" + "K\x00"s + size + stride + "\x89)tRu.";
}

}  // namespace

TEST_CASE("Hostile pickles in a PyTorch archive are refused before they read or allocate",
          "[storage][torch]") {
  TempDir d;
  using namespace std::string_literals;
  const std::string k4 = "K\x04";  // BININT1 4
  // A well-formed one first: 4 floats, a view of (4,) with stride (1,).
  write_archive(d.file("ok.pt"), tensor_pickle(k4, "K\x04\x85", "K\x01\x85"));
  const auto ok = TorchStateDict::read(d.file("ok.pt"));
  REQUIRE(ok.size() == 1);
  CHECK(ok[0].second.numel() == 4);

  struct Case {
    std::string pickle;
    std::string message;
  };
  const std::string huge = std::string("\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x40", 10);  // 2^62
  const std::string big_stride = std::string("\x8a\x08\x01\x00\x00\x00\x00\x00\x00\x20", 10);
  std::string nested = "\x80\x02";
  for (int i = 0; i < 100; ++i)
    nested += "]";
  for (int i = 0; i < 99; ++i)
    nested += "a";
  nested += ".";
  const std::vector<Case> cases = {
      {tensor_pickle(huge, "K\x04\x85", "K\x01\x85"), "expected 4611686018427387904 elements"},
      {tensor_pickle(k4, "K\x05\x85", big_stride + "\x85"), "strides reach past 2^63"},
      {tensor_pickle(k4, "K\x08\x85", "K\x01\x85"), "a tensor reaches element 7 of a storage of 4"},
      {tensor_pickle(k4, "J\x00\x00\x00\x40\x85"s, "K\x00\x85"s),
       "a broadcast tensor of 1073741824"},
      {nested, "containers nested over 64 deep"},
      {"\x80\x02]pabc\n.", "\"abc\" where a decimal integer belongs"},
      {"\x80\x02]\x32\x61.", "a container placed inside itself"},
      {"\x80\x02"
       "cos\nsystem\n)R.",
       "found the Python object os.system"},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    write_archive(d.file("bad.pt"), c.pickle);
    CHECK_THROWS_WITH(TorchStateDict::read(d.file("bad.pt")),
                      Contains(d.file("bad.pt")) && Contains(c.message));
  }
}
