#include "model/strategies/mu2net/evolver.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "model/nn/vit/vit_factory.hpp"
#include "model/strategies/mu2net/parent_selection.hpp"

namespace evostream::model {

namespace {

std::vector<std::string> root_block_ids(int64_t depth) {
  std::vector<std::string> ids;
  for (int64_t k = 0; k < depth; ++k)
    ids.push_back(fmt::format("root/block{}", k));
  return ids;
}

}  // namespace

Evolver::Evolver(const ParameterStore& store, const ComponentUsage& usage,
                 std::vector<const Path*> seeds, std::optional<Path> previous,
                 std::map<std::string, int64_t>& offspring, const SearchSpace& space,
                 const config::ArchitectureSpec& arch, std::string task, int64_t classes,
                 double root_params, EvolutionSettings settings)
    : store_(store),
      usage_(usage),
      offspring_(offspring),
      space_(space),
      arch_(arch),
      task_(std::move(task)),
      classes_(classes),
      root_params_(root_params),
      settings_(settings),
      mutation_(space, root_block_ids(arch.depth), task_, settings.clone_root,
                settings.bottom_clone) {
  seeds_ = std::move(seeds);
  seed_offspring_.reserve(seeds_.size());
  for (const Path* s : seeds_) {
    const auto n = offspring_.find(s->name);
    seed_offspring_.push_back(n == offspring_.end() ? 0 : n->second);
  }
  if (previous) {
    Member m = member_of(*previous);
    m.path.score = score_of(m.path, m.components, m.path.quality);
    population_.push_back(std::move(m));
  }
}

Evolver::Member Evolver::member_of(const Path& path) const {
  return {path, store_.resolve(path.ids)};
}

double Evolver::score_of(const Path& path,
                         const std::vector<std::shared_ptr<const Component>>& components,
                         double quality) const {
  std::vector<int64_t> params;
  for (const auto& c : components)
    params.push_back(c->num_params());
  return path_score(quality, settings_.scale_factor,
                    accounted_params(path.ids, params, usage_, task_), root_params_);
}

void Evolver::merge_pending() {
  std::stable_sort(pending_.begin(), pending_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& p : pending_)
    population_.push_back(std::move(p.second));
  pending_.clear();
}

std::vector<Candidate> Evolver::propose(int64_t generation) {
  merge_pending();
  std::vector<Candidate> out;
  for (int64_t child = 0; child < settings_.children; ++child) {
    common::Rng rng =
        common::Rng::derive({settings_.seed, static_cast<uint64_t>(settings_.task_index),
                             static_cast<uint64_t>(settings_.iteration),
                             static_cast<uint64_t>(generation), static_cast<uint64_t>(child)});
    std::vector<double> own_scores;
    std::vector<int64_t> own_offspring;
    for (const auto& m : population_) {
      own_scores.push_back(m.path.score);
      const auto n = offspring_.find(m.path.name);
      own_offspring.push_back(n == offspring_.end() ? 0 : n->second);
    }
    const auto choice = ParentSelection::select(own_scores, own_offspring, seed_offspring_, rng);
    // Own paths are named after this task, seeds after theirs: the names never collide.
    Member picked_seed;
    if (choice.source == ParentSelection::Source::kSeed)
      picked_seed = member_of(*seeds_[choice.index]);
    const Member& parent =
        choice.source == ParentSelection::Source::kOwn ? population_[choice.index] : picked_seed;
    if (choice.source == ParentSelection::Source::kSeed)
      ++seed_offspring_[choice.index];
    ++offspring_[parent.path.name];
    out.push_back(child_of(parent, generation, child, true, rng));
    out.back().steps = settings_.candidate_steps;
    place_on_schedule(out.back(), generation);
  }
  return out;
}

void Evolver::place_on_schedule(Candidate& c, int64_t generation) const {
  if (!settings_.continue_schedule || settings_.candidate_steps < 1)
    return;
  c.schedule_offset = generation * settings_.candidate_steps;
  c.schedule_steps = settings_.generations * settings_.candidate_steps + settings_.final_steps;
}

std::vector<Candidate> Evolver::propose_final(int64_t generation, int64_t extra_steps) {
  const Member* parent = best_member();
  if (parent == nullptr || settings_.final_steps < 1)
    return {};
  common::Rng rng = common::Rng::derive(
      {settings_.seed, static_cast<uint64_t>(settings_.task_index),
       static_cast<uint64_t>(settings_.iteration), static_cast<uint64_t>(generation), 0});
  ++offspring_[parent->path.name];
  std::vector<Candidate> out;
  out.push_back(child_of(*parent, generation, 0, false, rng));
  out.back().steps = settings_.final_steps + extra_steps;
  final_ = out.back().path.name;
  place_on_schedule(out.back(), generation);
  return out;
}

Candidate Evolver::child_of(const Member& parent, int64_t generation, int64_t child, bool mutate,
                            common::Rng& rng) const {
  std::vector<ComponentRef> refs;
  for (const auto& c : parent.components)
    refs.push_back({c->id(), c->kind(), c->index(), c->owner(), c->frozen()});
  const ChildPlan plan = mutation_.plan(refs, Hyperparameters::of(parent.path.recipe), rng, mutate);

  Candidate cand;
  cand.generation = generation;
  cand.child = child;
  cand.mutations = plan.mutations;
  cand.changes = plan.changes;
  cand.parent_same_task = parent.path.task == task_;
  cand.parent_score = parent.path.score;
  cand.path.name = fmt::format("{}@{}.{}.{}", task_, settings_.iteration, generation, child);
  cand.path.task = task_;
  cand.path.recipe = plan.hp.recipe();
  cand.path.parent = parent.path.name;
  cand.training_seed = rng.next_u64();
  const std::string suffix = fmt::format("@{}.{}.{}", settings_.iteration, generation, child);
  auto new_id = [&](ComponentKind kind, int64_t index) {
    return derived_id(task_, kind, index, suffix);
  };
  auto source = [&](const std::string& id) -> std::shared_ptr<const Component> {
    for (const auto& c : parent.components) {
      if (c->id() == id)
        return c;
    }
    return store_.get(id);
  };
  for (const auto& p : plan.components) {
    std::shared_ptr<const Component> c;
    switch (p.origin) {
      case Origin::kReuse:
        c = source(p.source);
        break;
      case Origin::kClone:
        c = std::make_shared<const Component>(
            source(p.source)->clone(new_id(p.kind, p.index), task_));
        break;
      case Origin::kNewAdapter:
        c = std::make_shared<const Component>(
            VitFactory::adapter(new_id(p.kind, p.index), task_, p.index, arch_.dim,
                                plan.hp.adapter_dim, rng.next_u64()));
        break;
      case Origin::kNewHead:
        c = std::make_shared<const Component>(
            VitFactory::head(new_id(p.kind, p.index), task_, arch_.dim, classes_));
        break;
    }
    cand.path.ids.push_back(c->id());
    cand.components.push_back(std::move(c));
  }
  return cand;
}

CandidateRecord Evolver::record(const Candidate& candidate, const TrainResult& result) {
  Member m{candidate.path, candidate.components};
  int64_t trained_params = 0;
  for (const auto& t : result.trained) {
    auto at = std::find(m.path.ids.begin(), m.path.ids.end(), t.id());
    if (at == m.path.ids.end())
      throw std::invalid_argument(
          fmt::format("trained component {} is not on path {}", t.id(), m.path.name));
    m.components[static_cast<size_t>(at - m.path.ids.begin())] =
        std::make_shared<const Component>(t);
    trained_params += t.num_params();
  }
  m.path.quality = result.quality;
  m.path.score = score_of(m.path, m.components, result.quality);
  CandidateRecord r;
  r.name = m.path.name;
  r.parent = m.path.parent;
  r.generation = candidate.generation;
  r.child = candidate.child;
  r.quality = m.path.quality;
  r.score = m.path.score;
  r.kept = improves(m.path.score, candidate.parent_score, candidate.parent_same_task) ||
           (settings_.keep_final && is_final(m.path.name));
  r.mutations = candidate.mutations;
  r.changes = candidate.changes;
  r.trained_params = trained_params;
  r.seconds = result.seconds;
  if (r.kept)
    pending_.emplace_back(candidate.child, std::move(m));
  return r;
}

const Evolver::Member* Evolver::best_member() {
  merge_pending();
  const Member* best = nullptr;
  for (const auto& m : population_) {
    if (settings_.keep_final && is_final(m.path.name))
      return &m;
    if (best == nullptr || m.path.score > best->path.score)
      best = &m;
  }
  return best;
}

const Path& Evolver::best() {
  const Member* b = best_member();
  if (b == nullptr)
    throw std::logic_error("evolver of " + task_ + ": no path was kept");
  return b->path;
}

double Evolver::best_score() {
  const Member* b = best_member();
  return b == nullptr ? -std::numeric_limits<double>::infinity() : b->path.score;
}

const std::vector<std::shared_ptr<const Component>>& Evolver::best_components() {
  const Member* b = best_member();
  if (b == nullptr)
    throw std::logic_error("evolver of " + task_ + ": no path was kept");
  return b->components;
}

std::vector<Component> Evolver::new_components() {
  std::vector<Component> out;
  for (const auto& c : best_components()) {
    if (!store_.contains(c->id()))
      out.push_back(*c);
  }
  return out;
}

}  // namespace evostream::model
