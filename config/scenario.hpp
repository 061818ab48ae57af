#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/option_table.hpp"
#include "config/synthetic_options.hpp"

namespace evostream::config {

/// Where a dataset comes from: a `[datasets.NAME]` table of a scenario.
///
/// Two datasets are predefined, and a scenario may redefine either (e.g. to point `path`
/// elsewhere): `fashion-mnist` (IDX files in `/usr/share/datasets/fashion-mnist`, from Debian's
/// `dataset-fashion-mnist`) and `mnist` (the MNIST digits' IDX files, which
/// `scripts/install-deps` fetches into `/usr/local/share/datasets/mnist`).
struct DatasetSpec {
  /// The kinds of source a dataset can have.
  enum class Kind { kIdx, kCifar10, kCifar100, kSynthetic, kNpy, kImages };

  /// The name tasks use to refer to it (the table's key).
  std::string name;
  /// Key `kind`: "idx", "cifar10", "cifar100", "npy", "images" or "synthetic". Required.
  Kind kind = Kind::kIdx;
  /// Key `path`: the directory holding the files (all kinds but synthetic). Required for those.
  /// For `images`, either `path/train/<class>/` and `path/test/<class>/`, or `path/<class>/`
  /// split by `test_fraction`.
  std::string path;
  /// Keys `train_images`, `train_labels`, `test_images`, `test_labels` (idx, npy): file names
  /// inside `path`. Default: the MNIST names for idx (`train-images-idx3-ubyte.gz` and so on),
  /// `x_train.npy`, `y_train.npy`, `x_test.npy`, `y_test.npy` for npy.
  std::string train_images = "train-images-idx3-ubyte.gz";
  std::string train_labels = "train-labels-idx1-ubyte.gz";
  std::string test_images = "t10k-images-idx3-ubyte.gz";
  std::string test_labels = "t10k-labels-idx1-ubyte.gz";
  /// Key `classes` (idx, npy): size of the label space. Default: 10. For `images`, the number of
  /// class folders.
  int64_t num_classes = 10;
  /// Key `class_names` (idx, npy): one name per class. Default: "class 0", "class 1", ... For
  /// `images`, the class folders' names.
  std::vector<std::string> class_names;
  /// Key `channels` (npy, images): channels of the images; `images` converts every file to it
  /// (1: grayscale, 3: RGB). Default: 1.
  int64_t image_channels = 1;
  /// Key `layout` (npy): "auto", "nhwc" or "nchw" (see `NpyLayout`). Default: "auto".
  std::string layout = "auto";
  /// Key `image_size` (images): the side every image is stretched to. Default: the root
  /// architecture's `image_size`.
  int64_t image_side = 0;
  /// Key `test_fraction` (images without `train/` and `test/` folders): share of each class's
  /// files, in a seeded draw, held out as its test split. Default: 0.2.
  double test_fraction = 0.2;
  /// Key `split_seed` (images without `train/` and `test/` folders): seed of that draw.
  /// Default: 0.
  uint64_t split_seed = 0;
  /// Key `coarse` (cifar100): use the 20 coarse labels instead of the 100 fine ones. Default:
  /// false.
  bool coarse = false;
  /// Keys `classes`, `channels`, `image_size`, `train_per_class`, `test_per_class`, `noise`,
  /// `max_shift`, `seed` (synthetic): see `SyntheticOptions` for their defaults.
  SyntheticOptions synthetic;
  /// The line of the scenario where the table starts (0 for the predefined ones).
  int64_t line = 0;

  /// Size of the label space this source yields.
  int64_t classes() const;
  /// Channels of its images (1 for IDX, 3 for CIFAR).
  int64_t channels() const;
};

/// One task of the stream: a `[[tasks]]` entry (or `[root.pretrain]`).
///
/// Transforms are applied in a fixed order: class subset (with relabelling), `max_train` /
/// `max_test` subsampling, few-shot subsampling, validation carving, then resize, rotation,
/// pixel permutation and inversion.
struct TaskSpec {
  /// Key `name`: unique within the scenario. Required.
  std::string name;
  /// Key `dataset`: a dataset name. Required.
  std::string dataset;
  /// Key `classes`: the dataset labels this task keeps, relabelled 0..k-1 in this order. Default:
  /// all labels.
  std::vector<int64_t> classes;
  /// Key `permute_seed`: permute the pixels with a permutation drawn from this seed. Default: none.
  std::optional<uint64_t> permute_seed;
  /// Key `rotate`: rotate every image by this many degrees (counter-clockwise). Default: 0.
  double rotate_degrees = 0.0;
  /// Key `invert`: replace each pixel v by 255 - v. Default: false.
  bool invert = false;
  /// Key `shots`: keep this many training examples per class (few-shot); 0 keeps all. Default: 0.
  int64_t shots = 0;
  /// Key `image_size`: resize the images to this side (bilinear); 0 keeps the size. Default: 0.
  int64_t image_size = 0;
  /// Key `validation_fraction`: share of each class's training examples held out for validation
  /// (at least one per class). Default: 0.1.
  double validation_fraction = 0.1;
  /// Key `max_train`: keep at most this many training examples (seeded draw); 0 keeps all.
  /// Default: 0.
  int64_t max_train = 0;
  /// Key `max_test`: keep at most this many test examples (seeded draw); 0 keeps all. Default: 0.
  int64_t max_test = 0;
  /// Key `delay`: seconds to wait after the previous arrival before this task arrives. Default: 0.
  double delay_seconds = 0.0;
  /// Key `family` (simulated runs): the task family whose centre the task's simulated profile
  /// lies near (see `SimulationSpec`); -1 derives it from the dataset's name. Default: -1.
  int64_t family = -1;
  /// The line of the scenario where the task is defined.
  int64_t line = 0;
};

/// The root model's architecture: a `[root.architecture]` table.
struct ArchitectureSpec {
  /// Key `family`: "vit" (a vision transformer; the keys patch to mlp), "moe-vit" (the same
  /// vision transformer whose every `moe_every`-th block's MLP is a mixture of `experts`
  /// experts, routed per task: Mod-Squad's model; the ViT keys and experts to moe_every) or
  /// "masked-fc" (a fully connected net of frozen random weights under per-task supermasks, for
  /// SupSup and ImpressLearn; the keys hidden and classes) or "masked-vit" (the vision
  /// transformer's linear layers, frozen and random, under per-task supermasks; the ViT keys and
  /// classes). Each family ignores the other families' keys. Default: "vit".
  std::string family = "vit";
  /// Key `name`: a label for the architecture. Default: "vit-tiny".
  std::string name = "vit-tiny";
  /// Key `image_size`: input side the root is built for. Default: 28.
  int64_t image_size = 28;
  /// Key `channels`: input channels. Default: 1.
  int64_t channels = 1;
  /// Key `patch`: patch side; must divide `image_size`. Default: 4.
  int64_t patch = 4;
  /// Key `dim`: embedding width; must be a multiple of `heads`. Default: 64.
  int64_t dim = 64;
  /// Key `depth`: number of transformer blocks. Default: 4.
  int64_t depth = 4;
  /// Key `heads`: attention heads. Default: 4.
  int64_t heads = 4;
  /// Key `mlp`: hidden width of the blocks' MLP. Default: 128.
  int64_t mlp = 128;
  /// Key `hidden` (masked-fc; the ViT ignores it): widths of the hidden layers, SupSup's MNIST net.
  /// Default: [300, 300].
  std::vector<int64_t> hidden = {300, 300};
  /// Key `classes` (masked-fc, masked-vit; the ViT ignores it): outputs of the random head every
  /// task masks; a task uses its first k. Default: 10.
  int64_t classes = 10;
  /// Key `experts` (moe-vit): experts of each MoE block's MLP. Default: 16.
  int64_t experts = 16;
  /// Key `top_k` (moe-vit): experts each token uses; each expert's hidden width is `mlp /
  /// top_k`, so a token's active compute equals the dense MLP's. Must divide `mlp` and be at
  /// most `experts`. Default: 4.
  int64_t top_k = 4;
  /// Key `moe_every` (moe-vit): block k is a mixture of experts when (k + 1) is a multiple of
  /// it (Mod-Squad's odd blocks with 2); the others are dense. Default: 2.
  int64_t moe_every = 2;
  /// Key `attention_experts` (moe-vit): when positive, the attention of every block whose MLP
  /// is dense is a mixture of this many attention experts (Mod-Squad's mixture of attention
  /// heads: per-expert query and output projections of width dim / heads, keys and values
  /// shared), each token using `heads` of them; must then be at least `heads`, and `moe_every`
  /// at least 2. 0 keeps every attention dense. Default: 0.
  int64_t attention_experts = 0;
};

/// How the root model is obtained: the `[root]` table.
struct RootSpec {
  /// Key `source`: "train" (train on `pretrain`), "import" (load `file`, a component file such
  /// as a run's `root.h5`), "torch" (load `file`, a PyTorch state dict of a timm-style ViT) or
  /// "init" (freshly initialised from the run seed, untrained). Default: "train".
  enum class Source { kTrain, kImport, kTorch, kInit };
  Source source = Source::kTrain;
  /// The `[root.architecture]` table.
  ArchitectureSpec architecture;
  /// The `[root.pretrain]` task, required when `source = "train"`.
  std::optional<TaskSpec> pretrain;
  /// Key `file`: the file to import, required when `source = "import"` or "torch"; relative
  /// to the scenario.
  std::string file;
  /// Key `steps`: training steps of the root. Default: 2000.
  int64_t steps = 2000;
  /// Key `batch_size`: batch size of the root's training. Default: 128.
  int64_t batch_size = 128;
  /// Key `learning_rate`: peak learning rate of the root's training. Default: 0.001.
  double learning_rate = 1e-3;
};

/// What every strategy shares: the `[strategy]` table.
///
/// Each strategy's own options are in a `[strategy.NAME]` table beside it (e.g.
/// `[strategy.mu2net] generations = 4`), read by that strategy's options struct through the
/// strategy registry (`model/strategies/strategy_registry.hpp`); the parser keeps those tables
/// as they are. A scenario may hold tables for several strategies: `run --strategy` picks one.
struct StrategySpec {
  /// Key `name`: a registered strategy (`evostream run --help` lists them). Default: "mu2net".
  std::string name = "mu2net";
  /// Key `task_steps`: training steps every strategy spends on one task visit, the budget all
  /// strategies share (µ2Net splits it among its generations × children candidates, a baseline
  /// among its models). Default: 3200.
  int64_t task_steps = 3200;
  /// Key `batch_size`: training batch size. Default: 64.
  int64_t batch_size = 64;
  /// Key `validation_interval`: validate every this many steps. Default: 50.
  int64_t validation_interval = 50;
  /// Key `scale_factor`: s in a path's score = quality × s^(params / root params); 1 = no size
  /// penalty. Default: 1.0.
  double scale_factor = 1.0;
  /// The `[strategy.NAME]` tables, in file order.
  std::vector<OptionTable> options;
  /// The scenario file and the line of the `[strategy]` table (0 without one).
  std::string file;
  int64_t line = 0;

  /// The table of strategy `strategy`: the scenario's, or an empty one (all defaults) that
  /// names this file and line.
  OptionTable options_of(const std::string& strategy) const;
  /// Sets `key` of strategy `strategy`'s table (adding the table or the key when missing), as a
  /// scenario line would; the strategy's options check it when they are read.
  void set_option(const std::string& strategy, const std::string& key, OptionValue value);
};

/// How the learned tasks are tested: the `[evaluation]` table.
struct EvaluationSpec {
  /// Key `task_labels`: whether the task of each test image is given. With false, the run also
  /// infers each test batch's task from the images alone and reports the task-inference
  /// accuracy and the accuracy with the inferred task (masked-fc family only, every task with
  /// the same classes). Default: true.
  bool task_labels = true;
  /// Key `inference`: how a batch's task is inferred: "entropy" (run every learned task's path
  /// on the batch, take the one of lowest mean output entropy), "oneshot" (SupSup: superimpose
  /// every learned task's weights with equal coefficients α, take the task whose α most lowers
  /// the output entropy; one forward and backward pass) or "binary" (SupSup's halving: keep
  /// the half of the candidates with the lowest entropy gradient until one is left). On
  /// Permuted Fashion-MNIST the gradient methods lose track beyond a few tasks
  /// (`docs/results/2026-12-permuted-fmnist.md`). "fit" (ImpressLearn only, a hypothesis):
  /// no task is chosen; coefficients over the impressions are fitted to the batch by
  /// minimising its mean output entropy, and the batch is predicted with them. Default:
  /// "entropy".
  std::string inference = "entropy";
  /// Key `fit_steps` (fit): Adam steps of the fit, from α = 1/K. Default: 10.
  int64_t fit_steps = 10;
  /// Key `fit_learning_rate` (fit): their learning rate. Default: 0.1.
  double fit_learning_rate = 0.1;
  /// Key `inference_batch`: test images a task is inferred from at once (the last batch of a
  /// task may be smaller). Default: 128.
  int64_t inference_batch = 128;
};

/// How the stream is run: the `[run]` table.
struct RunSpec {
  /// Key `iterations`: how many times the stream is visited (µ2Net task iterations). Default: 1.
  int64_t iterations = 1;
  /// Key `concurrent_tasks`: how many task visits may evolve at once. Default: 1.
  int64_t concurrent_tasks = 1;
};

/// Where candidates train: the `[trainers]` table.
struct TrainerSpec {
  /// Key `kind`: "torch" (real training with LibTorch) or "simulated" (the cost and quality
  /// model of `SimulationSpec`, on virtual time, no data). Default: "torch".
  enum class Kind { kTorch, kSimulated };
  Kind kind = Kind::kTorch;
  /// Key `count`: number of local trainers. Default: 1.
  int64_t count = 1;
  /// Key `device`: "cpu" or "cuda:K". Default: "cpu".
  std::string device = "cpu";
  /// Key `threads`: torch intra-op threads per trainer (one was fastest on 2 cores). Default: 1.
  int64_t threads = 1;
};

/// The cost and quality model of simulated trainers: the `[simulation]` table, read only with
/// `[trainers] kind = "simulated"`.
///
/// Every task gets a profile drawn from the run seed and its name: a unit vector near its
/// family's centre (relatedness of two tasks is the cosine of their vectors, clipped at 0), a
/// ceiling accuracy and a best learning rate. A path's quality grows with how related the tasks
/// that own its reused components are, and with how long its own components train; its cost is
/// the FLOPs of its training steps at `flops_per_second`. `model::SimulationModel` has the
/// formulas.
struct SimulationSpec {
  /// Key `tasks`: generate this many tasks (`sim-00000`, ...) instead of `[[tasks]]` entries;
  /// 0 uses the entries. Default: 0.
  int64_t tasks = 0;
  /// Key `families`: task families of generated tasks (and of `[[tasks]]` without `family`).
  /// Default: 8.
  int64_t families = 8;
  /// Key `spread`: how far a task's vector lies from its family's centre (0 = identical tasks
  /// within a family). Default: 0.35.
  double spread = 0.35;
  /// Key `classes`: classes of each generated task. Default: 10.
  int64_t classes = 10;
  /// Key `interval`: seconds between the arrivals of generated tasks (virtual time). Default: 0.
  double interval = 0.0;
  /// Key `flops_per_second`: the simulated trainer's speed. Default: 5e9 (one core of this
  /// project's CI machines running the fused CPU kernels).
  double flops_per_second = 5e9;
  /// Key `validation_images`: images one simulated validation scores (its cost). Default: 500.
  int64_t validation_images = 500;
  /// Key `adapt_steps`: training steps that close 63% of the gap between a component's source
  /// and the task (1 − e^−1). Default: 200.
  double adapt_steps = 200.0;
  /// Key `root_relatedness`: how related every task is to the root. Default: 0.5.
  double root_relatedness = 0.5;
  /// Key `noise`: standard deviation of the noise on each validation and test accuracy.
  /// Default: 0.005.
  double noise = 0.005;
};

/// A task-stream scenario as read from a TOML file.
struct Scenario {
  /// The file it was read from.
  std::string file;
  /// Key `name`. Required.
  std::string name;
  /// Key `seed`: the run seed every random choice derives from. Default: 1.
  uint64_t seed = 1;
  /// Key `description`: free text shown by `evostream tasks`. Default: empty.
  std::string description;
  RootSpec root;
  StrategySpec strategy;
  RunSpec run;
  EvaluationSpec evaluation;
  TrainerSpec trainers;
  /// The `[simulation]` table (used when `trainers.kind` is simulated).
  SimulationSpec simulation;
  /// The `[datasets.NAME]` tables, plus the predefined `fashion-mnist` unless redefined.
  std::vector<DatasetSpec> datasets;
  /// The `[[tasks]]` entries, in arrival order. At least one.
  std::vector<TaskSpec> tasks;

  /// Whether candidates train in simulation (`[trainers] kind = "simulated"`).
  bool simulated() const { return trainers.kind == TrainerSpec::Kind::kSimulated; }
  /// The dataset called `name`, or nullptr.
  const DatasetSpec* find_dataset(const std::string& name) const;
};

/// The directory of the predefined `fashion-mnist` dataset: `$EVOSTREAM_FASHION_MNIST` when set,
/// else `/usr/share/datasets/fashion-mnist`.
std::string default_fashion_mnist_dir();

/// The directory of the predefined `mnist` dataset: `$EVOSTREAM_MNIST` when set, else
/// `/usr/local/share/datasets/mnist`.
std::string default_mnist_dir();

}  // namespace evostream::config
