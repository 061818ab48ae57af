#include "model/nn/moe/moe_layout.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace evostream::model {

namespace {

[[noreturn]] void misplaced(const Component& c, size_t position, const std::string& expected) {
  throw std::invalid_argument(
      fmt::format("path component {} ({} at position {}) is out of place: expected {}", c.id(),
                  kind_name(c.kind()), position, expected));
}

[[noreturn]] void misshapen(const Component& c, const std::string& name,
                            const std::string& expected, const at::Tensor& found) {
  throw std::invalid_argument(fmt::format("component {}: tensor {} expected {}, found {}", c.id(),
                                          name, expected, fmt::join(found.sizes(), "×")));
}

const at::Tensor& tensor_named(const Component& c, const std::string& name) {
  try {
    return c.tensor(name);
  } catch (const std::out_of_range&) {
    throw std::invalid_argument(fmt::format("component {} has no tensor {}", c.id(), name));
  }
}

// Checks that tensor `name` of `c` holds floats of the sizes `want` (-1: any positive size);
// returns it.
const at::Tensor& checked(const Component& c, const std::string& name,
                          const std::vector<int64_t>& want) {
  const at::Tensor* t = &tensor_named(c, name);
  std::string expected;
  for (int64_t w : want)
    expected += (expected.empty() ? "" : "×") + (w < 0 ? std::string("n") : std::to_string(w));
  if (t->dim() != static_cast<int64_t>(want.size()) || !t->is_floating_point())
    misshapen(c, name, "floats " + expected, *t);
  for (size_t i = 0; i < want.size(); ++i) {
    const int64_t size = t->size(static_cast<int64_t>(i));
    if (size < 1 || (want[i] >= 0 && size != want[i]))
      misshapen(c, name, expected, *t);
  }
  return *t;
}

void check_experts(const Component& g, int64_t d) {
  const int64_t n = checked(g, "fc1.weight", {-1, -1, d}).size(0);
  const int64_t h = g.tensor("fc1.weight").size(1);
  checked(g, "fc1.bias", {n, h});
  checked(g, "fc2.weight", {n, d, h});
  checked(g, "fc2.bias", {n, d});
}

// Attention experts of width `h` (the block's shared keys' and values') over width `d`.
void check_attention_experts(const Component& g, int64_t d, int64_t h) {
  const int64_t n = checked(g, "q.weight", {-1, h, d}).size(0);
  checked(g, "o.weight", {n, d, h});
}

// A router over `experts` experts of width `d` for `tasks` tasks: `weight` [tasks × experts,
// d] (task t's rows after the earlier tasks'), or, for an extracted model's router (one task),
// `weight` [n, d] and `kept` (`experts` ascending rows of it).
void check_router(const Component& r, int64_t experts, int64_t d, int64_t tasks) {
  const at::Tensor* kept = MoeVitLayout::kept(r);
  if (kept == nullptr) {
    checked(r, "weight", {tasks * experts, d});
    return;
  }
  if (tasks != 1) {
    throw std::invalid_argument(fmt::format(
        "component {}: an extracted router (tensor kept) serves one task, found a path of {} "
        "tasks",
        r.id(), tasks));
  }
  const int64_t rows = checked(r, "weight", {-1, d}).size(0);
  bool ascending = kept->scalar_type() == at::kLong && kept->dim() == 1 &&
                   kept->numel() == experts && kept->is_contiguous();
  for (int64_t i = 0; ascending && i < experts; ++i) {
    const int64_t e = kept->data_ptr<int64_t>()[i];
    ascending = e >= 0 && e < rows && (i == 0 || e > kept->data_ptr<int64_t>()[i - 1]);
  }
  if (!ascending) {
    throw std::invalid_argument(
        fmt::format("component {}: tensor kept expected {} ascending int64 rows of its {} "
                    "router rows (one per expert of the block), found {}",
                    r.id(), experts, rows, fmt::join(kept->sizes(), "×")));
  }
}

}  // namespace

int64_t MoeVitLayout::Block::expert_count() const {
  int64_t n = 0;
  for (const Component* g : experts)
    n += g->tensors().front().size(0);
  return n;
}

bool MoeVitLayout::Block::attention() const {
  return block->kind() == ComponentKind::kAttentionMoeBlock;
}

int64_t MoeVitLayout::top_k(const Component& router) {
  return router.tensor("top_k").data_ptr<int64_t>()[0];
}

const at::Tensor* MoeVitLayout::kept(const Component& router) {
  const auto& names = router.names();
  const auto at = std::find(names.begin(), names.end(), "kept");
  return at == names.end() ? nullptr : &router.tensors()[static_cast<size_t>(at - names.begin())];
}

MoeVitLayout MoeVitLayout::of(const std::vector<const Component*>& components) {
  MoeVitLayout l;
  size_t i = 0;
  const size_t n = components.size();
  auto expect = [&](ComponentKind kind, const Component*& slot) {
    if (i >= n)
      throw std::invalid_argument(fmt::format("path ends before its {}", kind_name(kind)));
    if (components[i]->kind() != kind)
      misplaced(*components[i], i, kind_name(kind));
    slot = components[i++];
  };
  expect(ComponentKind::kPatchEmbedding, l.patch_embedding);
  const at::Tensor& pe = l.patch_embedding->tensor("weight");
  if (pe.dim() != 4 || pe.size(0) < 1 || pe.size(2) < 1 || pe.size(2) != pe.size(3))
    misshapen(*l.patch_embedding, "weight", "dim×channels×p×p", pe);
  const int64_t d = pe.size(0);
  expect(ComponentKind::kClassToken, l.class_token);
  expect(ComponentKind::kPositionEmbedding, l.position_embedding);
  expect(ComponentKind::kTaskEmbedding, l.task_embedding);
  const int64_t tasks = checked(*l.task_embedding, "embedding", {-1, 1, d}).size(0);
  while (i < n && (components[i]->kind() == ComponentKind::kBlock ||
                   components[i]->kind() == ComponentKind::kMoeBlock ||
                   components[i]->kind() == ComponentKind::kAttentionMoeBlock)) {
    const auto k = static_cast<int64_t>(l.blocks.size());
    Block b;
    if (components[i]->index() != k)
      misplaced(*components[i], i, fmt::format("block {}", k));
    b.block = components[i++];
    if (b.block->kind() != ComponentKind::kBlock) {
      const bool attention = b.attention();
      const ComponentKind group =
          attention ? ComponentKind::kAttentionExperts : ComponentKind::kExperts;
      const std::string what =
          fmt::format("{} of block {}", attention ? "attention experts" : "experts", k);
      // An attention mixture's experts are as wide as its shared keys and values.
      const int64_t width =
          attention ? checked(*b.block, "attn.kv.weight", {-1, d}).size(0) / 2 : 0;
      if (attention) {
        checked(*b.block, "attn.kv.weight", {2 * width, d});
        checked(*b.block, "attn.kv.bias", {2 * width});
      }
      while (i < n && components[i]->kind() == group) {
        if (components[i]->index() != k)
          misplaced(*components[i], i, what);
        if (attention)
          check_attention_experts(*components[i], d, width);
        else
          check_experts(*components[i], d);
        b.experts.push_back(components[i++]);
      }
      if (b.experts.empty()) {
        if (i >= n)
          throw std::invalid_argument(fmt::format("path ends before the {}", what));
        misplaced(*components[i], i, what);
      }
      const std::string first = b.experts.front()->names().front();
      const int64_t h = b.experts.front()->tensor(first).size(1);
      for (const Component* g : b.experts) {
        if (g->tensor(first).size(1) != h)
          misshapen(*g, first, fmt::format("n×{}×{} (as the block's first group)", h, d),
                    g->tensor(first));
      }
      if (i >= n)
        throw std::invalid_argument(fmt::format("path ends before the router of block {}", k));
      if (components[i]->kind() != ComponentKind::kRouter || components[i]->index() != k)
        misplaced(*components[i], i, fmt::format("router {}", k));
      b.router = components[i++];
      check_router(*b.router, b.expert_count(), d, tasks);
      const at::Tensor& top = tensor_named(*b.router, "top_k");
      if (top.scalar_type() != at::kLong || top.numel() != 1 || top.data_ptr<int64_t>()[0] < 1 ||
          top.data_ptr<int64_t>()[0] > b.expert_count()) {
        throw std::invalid_argument(fmt::format(
            "component {}: top_k expected one int64 in 1..{}, found {}", b.router->id(),
            b.expert_count(), top.numel() == 1 ? std::to_string(top.item<int64_t>()) : "none"));
      }
    }
    l.blocks.push_back(std::move(b));
  }
  if (l.blocks.empty())
    throw std::invalid_argument("path has no transformer block");
  expect(ComponentKind::kFinalNorm, l.final_norm);
  expect(ComponentKind::kHead, l.head);
  if (i != n)
    misplaced(*components[i], i, "the end of the path after the head");
  return l;
}

std::vector<const Component*> MoeVitLayout::ordered() const {
  std::vector<const Component*> out = {patch_embedding, class_token, position_embedding,
                                       task_embedding};
  for (const Block& b : blocks) {
    out.push_back(b.block);
    out.insert(out.end(), b.experts.begin(), b.experts.end());
    if (b.router != nullptr)
      out.push_back(b.router);
  }
  out.push_back(final_norm);
  out.push_back(head);
  return out;
}

int64_t MoeVitLayout::patch() const {
  return patch_embedding->tensor("weight").size(2);
}

int64_t MoeVitLayout::dim() const {
  return patch_embedding->tensor("weight").size(0);
}

int64_t MoeVitLayout::tasks() const {
  return task_embedding->tensor("embedding").size(0);
}

int64_t MoeVitLayout::classes() const {
  return head->tensor("weight").size(0);
}

}  // namespace evostream::model
