#include "report/model_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace evostream::report {

namespace {

// Layout of the SVG, in pixels.
constexpr int64_t kColumn = 116;
constexpr int64_t kRow = 30;
constexpr int64_t kBoxWidth = 96;
constexpr int64_t kBoxHeight = 20;
constexpr int64_t kTop = 40;
constexpr int64_t kLeft = 10;

std::string slot_of(const std::string& id) {
  const auto slash = id.find('/');
  const std::string rest = slash == std::string::npos ? id : id.substr(slash + 1);
  return rest.substr(0, rest.find('@'));
}

std::string owner_of(const std::string& id) {
  const auto slash = id.find('/');
  return slash == std::string::npos ? "root" : id.substr(0, slash);
}

std::string shorten(const std::string& text, size_t length) {
  return text.size() <= length ? text : text.substr(0, length - 1) + "…";
}

}  // namespace

std::string ModelGraph::colour(int64_t i) {
  // Tableau's 20 categorical colours without their greys; the root is grey.
  static const char* const kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                         "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#aec7e8",
                                         "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
                                         "#f7b6d2", "#dbdb8d", "#9edae5"};
  constexpr int64_t n = sizeof(kColours) / sizeof(kColours[0]);
  return i <= 0 ? "#9e9e9e" : kColours[(i - 1) % n];
}

std::string ModelGraph::escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

ModelGraph::ModelGraph(const model::RunResults& results) {
  for (size_t t = 0; t < results.tasks.size(); ++t)
    task_index_[results.tasks[t].name] = static_cast<int64_t>(t);

  std::map<std::string, size_t> index;
  std::vector<std::string> slot_seen;  // first appearance order
  std::map<std::string, std::set<std::string>> next;
  for (const auto& task : results.tasks) {
    std::vector<size_t> path;
    for (size_t k = 0; k < task.path.ids.size(); ++k) {
      const std::string& id = task.path.ids[k];
      auto it = index.find(id);
      if (it == index.end()) {
        it = index.emplace(id, nodes_.size()).first;
        nodes_.push_back(Node{id, owner_of(id), slot_of(id), 0, 0, {}});
      }
      Node& node = nodes_[it->second];
      if (std::find(node.users.begin(), node.users.end(), task.name) == node.users.end())
        node.users.push_back(task.name);
      path.push_back(it->second);
      if (std::find(slot_seen.begin(), slot_seen.end(), node.slot) == slot_seen.end())
        slot_seen.push_back(node.slot);
      if (k > 0)
        next[nodes_[path[k - 1]].slot].insert(node.slot);
    }
    paths_.emplace_back(task.name, std::move(path));
  }

  // Slots in forward order: a topological merge of the paths' orders, ties by first appearance.
  std::map<std::string, int64_t> indegree;
  for (const auto& s : slot_seen)
    indegree[s] = 0;
  for (const auto& [from, tos] : next) {
    for (const auto& to : tos)
      ++indegree[to];
  }
  std::vector<bool> placed(slot_seen.size(), false);
  while (slots_.size() < slot_seen.size()) {
    size_t pick = slot_seen.size();
    for (size_t i = 0; i < slot_seen.size() && pick == slot_seen.size(); ++i) {
      if (!placed[i] && indegree[slot_seen[i]] == 0)
        pick = i;
    }
    if (pick == slot_seen.size()) {  // a cycle (paths disagree): take the earliest left
      pick = static_cast<size_t>(std::find(placed.begin(), placed.end(), false) - placed.begin());
    }
    placed[pick] = true;
    slots_.push_back(slot_seen[pick]);
    for (const auto& to : next[slot_seen[pick]])
      --indegree[to];
  }

  std::map<std::string, int64_t> column;
  for (size_t c = 0; c < slots_.size(); ++c)
    column[slots_[c]] = static_cast<int64_t>(c);
  std::map<int64_t, std::vector<size_t>> stacks;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i].column = column[nodes_[i].slot];
    stacks[nodes_[i].column].push_back(i);
  }
  for (auto& [c, stack] : stacks) {
    std::stable_sort(stack.begin(), stack.end(), [&](size_t a, size_t b) {
      return owner_index(nodes_[a].owner) < owner_index(nodes_[b].owner);
    });
    for (size_t r = 0; r < stack.size(); ++r)
      nodes_[stack[r]].row = static_cast<int64_t>(r);
  }
}

int64_t ModelGraph::owner_index(const std::string& owner) const {
  const auto it = task_index_.find(owner);
  return it == task_index_.end() ? 0 : it->second + 1;
}

std::string ModelGraph::dot() const {
  std::string out =
      "digraph model {\n  rankdir=LR;\n  node [shape=box, style=filled, fontsize=10];\n";
  for (size_t c = 0; c < slots_.size(); ++c) {
    out += fmt::format("  subgraph slot_{} {{ rank=same;", c);
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].column == static_cast<int64_t>(c))
        out += fmt::format(" n{};", i);
    }
    out += " }\n";
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    out += fmt::format("  n{} [label=\"{}\\n{} ({} task{})\", fillcolor=\"{}\", tooltip=\"{}\"];\n",
                       i, escape(n.slot), escape(n.owner), n.users.size(),
                       n.users.size() == 1 ? "" : "s", colour(owner_index(n.owner)), escape(n.id));
  }
  for (const auto& [task, path] : paths_) {
    for (size_t k = 1; k < path.size(); ++k) {
      out += fmt::format("  n{} -> n{} [color=\"{}\", tooltip=\"{}\"];\n", path[k - 1], path[k],
                         colour(owner_index(task)), escape(task));
    }
  }
  // Legend: one swatch per owner, the root's first, in a cluster of its own.
  out +=
      "  subgraph cluster_legend {\n    label=\"colour = owner (edges: each task's path)\";\n"
      "    fontsize=10;\n    node [shape=box, style=filled, fontsize=10];\n";
  out += fmt::format("    legend_root [label=\"root\", fillcolor=\"{}\"];\n", colour(0));
  std::string chain = "legend_root";
  for (size_t t = 0; t < paths_.size(); ++t) {
    out += fmt::format("    legend_{} [label=\"{}\", fillcolor=\"{}\"];\n", t,
                       escape(paths_[t].first), colour(static_cast<int64_t>(t) + 1));
    chain += fmt::format(" -> legend_{}", t);
  }
  // Invisible edges keep the swatches in one column, in stream order.
  if (!paths_.empty())
    out += "    " + chain + " [style=invis];\n";
  return out + "  }\n}\n";
}

std::string ModelGraph::svg() const {
  int64_t rows = 1;
  for (const auto& n : nodes_)
    rows = std::max(rows, n.row + 1);
  const int64_t legend_top = kTop + rows * kRow + 20;
  const int64_t legend_rows = (static_cast<int64_t>(paths_.size()) + 3) / 4 + 1;
  const int64_t width = kLeft * 2 + std::max<int64_t>(4, slots_.size()) * kColumn;
  const int64_t height = legend_top + legend_rows * 18 + 10;
  auto centre = [&](const Node& n) {
    return std::pair<double, double>(kLeft + n.column * kColumn + kBoxWidth / 2.0,
                                     kTop + n.row * kRow + kBoxHeight / 2.0);
  };

  std::string out = fmt::format(
      "<svg id=\"model-graph\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" "
      "width=\"{}\" role=\"img\" aria-label=\"model graph\">\n",
      width, height, width);
  for (size_t c = 0; c < slots_.size(); ++c) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\">{}</text>\n",
                       kLeft + static_cast<int64_t>(c) * kColumn + kBoxWidth / 2, kTop - 12,
                       escape(slots_[c]));
  }
  for (const auto& n : nodes_) {
    const int64_t x = kLeft + n.column * kColumn;
    const int64_t y = kTop + n.row * kRow;
    const bool shared = n.users.size() > 1;
    std::string users;
    for (const auto& u : n.users)
      users += (users.empty() ? "" : ", ") + u;
    out += fmt::format(
        "<g class=\"component\"><title>{}: used by {}</title><rect x=\"{}\" y=\"{}\" "
        "width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{}\" stroke=\"#222\" stroke-width=\"{}\"/>"
        "<text x=\"{}\" y=\"{}\" class=\"node\" text-anchor=\"middle\">{}{}</text></g>\n",
        escape(n.id), escape(users), x, y, kBoxWidth, kBoxHeight, colour(owner_index(n.owner)),
        shared ? 2.5 : 0.5, x + kBoxWidth / 2, y + 14, escape(shorten(n.owner, 12)),
        shared ? fmt::format(" ×{}", n.users.size()) : "");
  }
  // Paths last, above the components: each runs from a box's right edge to the next box's
  // left edge, so no line crosses a label.
  const double spread = paths_.size() > 1 ? 8.0 / static_cast<double>(paths_.size() - 1) : 0.0;
  for (size_t t = 0; t < paths_.size(); ++t) {
    const auto& [task, path] = paths_[t];
    const double dy = -4.0 + spread * static_cast<double>(t);
    std::string d;
    for (size_t k = 1; k < path.size(); ++k) {
      const Node& from = nodes_[path[k - 1]];
      const Node& to = nodes_[path[k]];
      const auto [x0, y0] = centre(from);
      const auto [x1, y1] = centre(to);
      // Within a column (a path through several expert groups of one layer), a short
      // vertical run beside the boxes' right edges.
      const double right = x0 + kBoxWidth / 2.0;
      d += from.column == to.column ? fmt::format("M{:.1f},{:.1f} L{:.1f},{:.1f} ", right + 3.0,
                                                  y0 + dy, right + 3.0, y1 + dy)
                                    : fmt::format("M{:.1f},{:.1f} L{:.1f},{:.1f} ", right, y0 + dy,
                                                  x1 - kBoxWidth / 2.0, y1 + dy);
    }
    out += fmt::format(
        "<path class=\"task-path\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
        "stroke-opacity=\"0.8\"><title>{}</title></path>\n",
        d, colour(owner_index(task)), escape(task));
  }
  // Legend: the owners' colours.
  out += fmt::format(
      "<text x=\"{}\" y=\"{}\" class=\"axis\">Colour = owner (grey: root). Thick border = shared "
      "by several tasks (×N users). Lines: each task's path.</text>\n",
      kLeft, legend_top);
  for (size_t t = 0; t < paths_.size(); ++t) {
    const int64_t x = kLeft + static_cast<int64_t>(t % 4) * 260;
    const int64_t y = legend_top + 18 + static_cast<int64_t>(t / 4) * 18;
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" "
        "class=\"axis\">{}</text>\n",
        x, y - 10, colour(static_cast<int64_t>(t) + 1), x + 16, y, escape(paths_[t].first));
  }
  return out + "</svg>\n";
}

}  // namespace evostream::report
