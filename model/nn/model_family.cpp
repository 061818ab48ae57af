#include "model/nn/model_family.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "model/nn/masked/masked_family.hpp"
#include "model/nn/masked/masked_vit_family.hpp"
#include "model/nn/moe/moe_family.hpp"
#include "model/nn/vit/vit_family.hpp"

namespace evostream::model {

std::shared_ptr<const ModelFamily> vit_family(int64_t heads) {
  return std::make_shared<VitFamily>(heads);
}

int64_t ModelFamily::active_params(const std::vector<const Component*>& components) const {
  int64_t n = 0;
  for (const Component* c : components)
    n += c->num_params();
  return n;
}

std::shared_ptr<const ModelFamily> ModelFamily::of(const config::ArchitectureSpec& architecture) {
  if (architecture.family == "vit")
    return vit_family(architecture.heads);
  if (architecture.family == "moe-vit")
    return std::make_shared<MoeVitFamily>(architecture.heads);
  if (architecture.family == "masked-fc")
    return std::make_shared<MaskedFamily>();
  if (architecture.family == "masked-vit") {
    return std::make_shared<MaskedVitFamily>(architecture.heads, architecture.patch,
                                             architecture.channels);
  }
  throw std::invalid_argument(
      fmt::format("architecture family: expected \"vit\", \"moe-vit\", \"masked-fc\" or "
                  "\"masked-vit\", found \"{}\"",
                  architecture.family));
}

}  // namespace evostream::model
