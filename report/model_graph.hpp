#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/run/stream_runner.hpp"

namespace evostream::report {

/// Which components each task's serving path runs through, shared versus owned: the µ2Net
/// paper's figure of a multitask model, laid out for SVG and exported for Graphviz.
///
/// Columns are the model's slots (patch embedding, class token, ..., adapterK, blockK, ...,
/// final norm, head) in forward order, merged from every path; a column stacks the components
/// used in that slot, the root's first, then by the stream order of their owners. A component's
/// owner is the part of its id before the first `/` (`root` for the root's).
class ModelGraph {
 public:
  struct Node {
    std::string id;
    /// The task that created it, or `root`.
    std::string owner;
    /// The slot it fills, e.g. `block2` (its id between `/` and `@`).
    std::string slot;
    /// Column (slot order) and row within the column.
    int64_t column = 0;
    int64_t row = 0;
    /// The tasks whose serving paths use it, in stream order.
    std::vector<std::string> users;
  };

  /// The graph of `results`' serving paths (tasks in stream order).
  explicit ModelGraph(const model::RunResults& results);

  const std::vector<Node>& nodes() const { return nodes_; }
  /// The slots in forward order.
  const std::vector<std::string>& slots() const { return slots_; }
  /// The tasks in stream order, each with the indices into `nodes()` of its path.
  const std::vector<std::pair<std::string, std::vector<size_t>>>& paths() const { return paths_; }
  /// Colour index of an owner: 0 for `root`, 1 + stream index for a task.
  int64_t owner_index(const std::string& owner) const;

  /// The graph in Graphviz's DOT language: one node per component (filled with its owner's
  /// colour, its users in the label), one coloured edge chain per task, and a legend cluster
  /// with a swatch per owner (root first, then the tasks in stream order).
  std::string dot() const;
  /// The graph as an SVG element `width` pixels wide at most (height follows).
  std::string svg() const;

  /// A categorical colour for index `i` (0: the root's grey).
  static std::string colour(int64_t i);
  /// `text` with `&`, `<`, `>` and `"` escaped for HTML, SVG and DOT labels.
  static std::string escape(const std::string& text);

 private:
  std::vector<Node> nodes_;
  std::vector<std::string> slots_;
  std::vector<std::pair<std::string, std::vector<size_t>>> paths_;
  std::map<std::string, int64_t> task_index_;
};

}  // namespace evostream::report
