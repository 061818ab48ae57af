#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace evostream::model {

/// Which tasks' committed paths use each component: the basis of accounted parameters.
class ComponentUsage {
 public:
  /// Records that `task` now uses exactly `ids` (replacing what it used before).
  void set_path(const std::string& task, const std::vector<std::string>& ids);
  /// The tasks whose committed paths use `id`.
  std::set<std::string> users(const std::string& id) const;
  /// Number of tasks other than `task` whose committed paths use `id`.
  int64_t other_users(const std::string& id, const std::string& task) const;

 private:
  std::map<std::string, std::set<std::string>> users_;     // component id -> tasks
  std::map<std::string, std::vector<std::string>> paths_;  // task -> component ids
};

/// Parameters a path is charged for: each component's parameters split evenly among `task` and
/// the other tasks whose committed paths use it (µ2Net's accounted parameters; the root's
/// pseudo-owner is not a user). `params[i]` belongs to `ids[i]`.
double accounted_params(const std::vector<std::string>& ids, const std::vector<int64_t>& params,
                        const ComponentUsage& usage, const std::string& task);

/// µ2Net's score: quality × s^(accounted params / root params); s = 1 is no size penalty.
double path_score(double quality, double scale_factor, double accounted, double root_params);

/// Whether a child's score is kept: strictly above its parent's score when the parent serves
/// the same task, always when the parent is another task's path or the root (muNet's rule; the
/// µ2Net notebook uses ≥, the issue asks for "beats").
bool improves(double child_score, double parent_score, bool parent_same_task);

}  // namespace evostream::model
