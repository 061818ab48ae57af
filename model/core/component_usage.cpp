#include "model/core/component_usage.hpp"

#include <cmath>
#include <stdexcept>

namespace evostream::model {

void ComponentUsage::set_path(const std::string& task, const std::vector<std::string>& ids) {
  auto old = paths_.find(task);
  if (old != paths_.end()) {
    for (const auto& id : old->second) {
      auto u = users_.find(id);
      u->second.erase(task);
      if (u->second.empty())
        users_.erase(u);
    }
  }
  paths_[task] = ids;
  for (const auto& id : ids)
    users_[id].insert(task);
}

std::set<std::string> ComponentUsage::users(const std::string& id) const {
  auto u = users_.find(id);
  return u == users_.end() ? std::set<std::string>{} : u->second;
}

int64_t ComponentUsage::other_users(const std::string& id, const std::string& task) const {
  auto u = users_.find(id);
  if (u == users_.end())
    return 0;
  return static_cast<int64_t>(u->second.size()) - (u->second.count(task) ? 1 : 0);
}

double accounted_params(const std::vector<std::string>& ids, const std::vector<int64_t>& params,
                        const ComponentUsage& usage, const std::string& task) {
  if (ids.size() != params.size())
    throw std::invalid_argument("accounted_params: one parameter count per id expected");
  double total = 0.0;
  for (size_t i = 0; i < ids.size(); ++i)
    total +=
        static_cast<double>(params[i]) / static_cast<double>(1 + usage.other_users(ids[i], task));
  return total;
}

double path_score(double quality, double scale_factor, double accounted, double root_params) {
  return quality * std::pow(scale_factor, accounted / root_params);
}

bool improves(double child_score, double parent_score, bool parent_same_task) {
  return !parent_same_task || child_score > parent_score;
}

}  // namespace evostream::model
