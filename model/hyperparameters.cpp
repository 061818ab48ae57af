#include "model/hyperparameters.hpp"

#include <stdexcept>

namespace evostream::model {

const char* schedule_name(Schedule s) {
  switch (s) {
    case Schedule::kConstant:
      return "constant";
    case Schedule::kCosine:
      return "cosine";
    case Schedule::kRestarts:
      return "restarts";
  }
  return "?";
}

Schedule schedule_from_name(const std::string& name) {
  if (name == "constant")
    return Schedule::kConstant;
  if (name == "cosine")
    return Schedule::kCosine;
  if (name == "restarts")
    return Schedule::kRestarts;
  throw std::invalid_argument("unknown schedule \"" + name + "\"");
}

}  // namespace evostream::model
