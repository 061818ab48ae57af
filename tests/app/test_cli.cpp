#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

// A scenario whose only task reads the IDX dataset in `dir`.
std::string idx_scenario(const TempDir& where, const std::string& dir) {
  const std::string path = where.file("s.toml");
  write_text(path, minimal_scenario("\n[datasets.digits]\nkind = \"idx\"\npath = \"" + dir +
                                    "\"\n[[tasks]]\nname = \"d\"\ndataset = \"digits\"\n"));
  return path;
}

}  // namespace

TEST_CASE("The help lists every subcommand", "[app]") {
  const CliResult r = run_cli("--help");
  CHECK(r.status == 0);
  for (const char* sub :
       {"run", "resume", "inspect", "report", "tasks", "bench", "predict", "export", "extract"}) {
    CHECK_THAT(r.out, Contains(std::string("  ") + sub + " "));
  }
}

TEST_CASE("tasks lists the smoke scenario with classes and split sizes", "[app]") {
  const CliResult r = run_cli("tasks " + config("smoke.toml") + " --hash");
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK_THAT(r.out, Contains("scenario smoke"));
  CHECK_THAT(r.out, Contains("shapes-a-all"));
  CHECK_THAT(r.out, Contains("b-rotated"));
  CHECK_THAT(r.out, Contains("rotated 90°, inverted"));
  CHECK_THAT(r.out, Contains("classes 2: class 1, class 4"));
  CHECK_THAT(r.out, Contains("hash "));
  CHECK_THAT(r.out, Contains("3 tasks in the stream"));
  // The same scenario lists the same content hashes on a second run.
  CHECK(run_cli("tasks " + config("smoke.toml") + " --hash").out.substr(0, 200) ==
        r.out.substr(0, 200));
}

TEST_CASE("tasks lists the Fashion-MNIST stream", "[app]") {
  const CliResult r = run_cli("tasks " + config("fmnist-stream.toml"));
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("14 tasks in the stream"));
  CHECK_THAT(r.out, Contains("classes 3: Sandal, Sneaker, Ankle boot"));
  CHECK_THAT(r.out, Contains("permuted (seed 2)"));
  CHECK_THAT(r.out, Contains("10-shot"));
}

TEST_CASE("A bad scenario gives one error line naming file and line and a non-zero exit", "[app]") {
  TempDir dir;
  const std::string path = dir.file("bad.toml");
  write_text(path, minimal_scenario("colour = \"red\"\n"));
  const CliResult r = run_cli("tasks " + path);
  CHECK(r.status != 0);
  CHECK(lines(r.err) == 1);
  CHECK_THAT(r.err, Contains("bad.toml:"));
  CHECK_THAT(r.err, Contains("tasks[0].colour: unknown key"));

  const CliResult missing = run_cli("tasks " + dir.file("absent.toml"));
  CHECK(missing.status != 0);
  CHECK(lines(missing.err) == 1);
  CHECK_THAT(missing.err, Contains("absent.toml: cannot open the scenario file"));
}

TEST_CASE("Every kind of bad dataset gives one error line naming the file", "[app]") {
  struct Defect {
    std::string name;
    std::string expected;
    void (*make)(const std::string& dir);
  };
  const std::vector<Defect> defects = {
      {"missing file", "train-labels-idx1-ubyte.gz: file not found",
       [](const std::string& d) { std::filesystem::remove(d + "/train-labels-idx1-ubyte.gz"); }},
      {"truncated file", "train-images-idx3-ubyte.gz: truncated",
       [](const std::string& d) {
         auto bytes = idx_image_bytes(40, 28, 28, 1);
         bytes.resize(bytes.size() - 100);
         write_bytes(d + "/train-images-idx3-ubyte.gz", bytes, true);
       }},
      {"wrong magic", "expected magic number 2049 (unsigned-byte labels), found 2051",
       [](const std::string& d) {
         write_bytes(d + "/t10k-labels-idx1-ubyte.gz", idx_image_bytes(10, 28, 28, 1), true);
       }},
      {"count mismatch", "expected 40 labels (one per image",
       [](const std::string& d) {
         write_bytes(d + "/train-labels-idx1-ubyte.gz", idx_label_bytes({1, 2, 3}), true);
       }},
      {"label out of range", "label 12 of item 0 is out of range: expected 0..9",
       [](const std::string& d) {
         write_bytes(d + "/t10k-labels-idx1-ubyte.gz",
                     idx_label_bytes({12, 1, 2, 3, 4, 5, 6, 7, 8, 9}), true);
       }},
  };
  for (const auto& defect : defects) {
    INFO(defect.name);
    TempDir dir;
    write_idx_dataset(dir.path(), 40, 10, 10);
    defect.make(dir.path());
    const CliResult r = run_cli("tasks " + idx_scenario(dir, dir.path()));
    CHECK(r.status != 0);
    CHECK(lines(r.err) == 1);
    CHECK_THAT(r.err, Contains(defect.expected));
  }
}

TEST_CASE("A CIFAR batch of the wrong record size gives one error line", "[app]") {
  TempDir dir;
  for (int i = 1; i <= 5; ++i) {
    write_bytes(dir.file("data_batch_" + std::to_string(i) + ".bin"), cifar_bytes(4, 1, 10, i));
  }
  write_bytes(dir.file("test_batch.bin"), cifar_bytes(4, 2, 10, 9));  // CIFAR-100 records
  const std::string path = dir.file("c.toml");
  write_text(path, "name = \"c\"\n[datasets.c10]\nkind = \"cifar10\"\npath = \"" + dir.path() +
                       "\"\n[root]\nsource = \"import\"\nfile = \"r.h5\"\n"
                       "architecture = { channels = 3, image_size = 32 }\n"
                       "[[tasks]]\nname = \"c\"\ndataset = \"c10\"\n");
  const CliResult r = run_cli("tasks " + path);
  CHECK(r.status != 0);
  CHECK(lines(r.err) == 1);
  CHECK_THAT(r.err, Contains("test_batch.bin: expected a whole number of 3073-byte CIFAR-10 "
                             "records, found 12296 bytes"));
}

TEST_CASE("A missing dataset directory says how to get Fashion-MNIST", "[app]") {
  TempDir dir;
  const std::string path = dir.file("f.toml");
  write_text(path, minimal_scenario("\n[datasets.fashion-mnist]\nkind = \"idx\"\npath = \"" +
                                    dir.file("nowhere") +
                                    "\"\n[[tasks]]\nname = \"f\"\ndataset = \"fashion-mnist\"\n"));
  const CliResult r = run_cli("tasks " + path);
  CHECK(r.status != 0);
  CHECK(lines(r.err) == 1);
  CHECK_THAT(r.err, Contains("dataset-fashion-mnist"));
}

TEST_CASE("An unknown subcommand or option gives one error line and exit 2", "[app]") {
  const CliResult r = run_cli("frobnicate");
  CHECK(r.status == 2);
  CHECK(lines(r.err) == 1);
  CHECK_THAT(r.err, Contains("evostream: error:"));
  const CliResult o = run_cli("tasks " + config("smoke.toml") + " --colour");
  CHECK(o.status == 2);
  CHECK(lines(o.err) == 1);
}

TEST_CASE("A mistyped command is named with the closest one, and help and -V work", "[app]") {
  const CliResult typo = run_cli("rn " + config("smoke.toml"));
  CHECK(typo.status == 2);
  CHECK(lines(typo.err) == 1);
  CHECK_THAT(typo.err, Contains("unknown command 'rn' (did you mean 'run'?); see ") &&
                           Contains("evostream --help"));
  CHECK_THAT(run_cli("resum x").err, Contains("(did you mean 'resume'?)"));
  CHECK_THAT(run_cli("frobnicate").err, !Contains("did you mean"));
  const CliResult help = run_cli("help");
  CHECK(help.status == 0);
  CHECK_THAT(help.out, Contains("Usage: evostream [OPTIONS] SUBCOMMAND"));
  const CliResult help_run = run_cli("help run");
  CHECK(help_run.status == 0);
  CHECK_THAT(help_run.out, Contains("Usage: run [OPTIONS] scenario") && Contains("--listen"));
  CHECK(run_cli("help rn").status == 2);
  for (const char* flag : {"-V", "--version"}) {
    const CliResult v = run_cli(flag);
    CHECK(v.status == 0);
    CHECK_THAT(v.out, Contains("evostream 0.1.0"));
  }
}

TEST_CASE("Option errors point at the command's help", "[app]") {
  const CliResult seed = run_cli("run " + config("smoke.toml") + " --seed -1");
  CHECK(seed.status == 2);
  CHECK_THAT(seed.err, Contains("--seed: expected a number >= 0, found -1") &&
                           Contains("evostream run --help)"));
  const CliResult both = run_cli("run " + config("smoke.toml") + " --quiet --json");
  CHECK(both.status == 2);
  CHECK_THAT(both.err, Contains("--quiet excludes --json"));
  const CliResult message = run_cli("worker --connect 127.0.0.1:1 --insecure --max-message 4096");
  CHECK(message.status == 2);
  CHECK_THAT(message.err,
             Contains("--max-message") && Contains("4096") && Contains("evostream worker --help)"));
}

TEST_CASE("A CUDA device on a LibTorch without CUDA is refused before a run starts", "[app]") {
  TempDir d;
  std::string text = slurp(config("smoke.toml"));
  text.replace(text.find("[trainers]"), 10, "[trainers]\ndevice = \"cuda:0\"");
  write_text(d.file("cuda.toml"), text);
  const CliResult r = run_cli("tasks " + d.file("cuda.toml"));
  if (r.status == 0) {
    WARN("this LibTorch can use CUDA: nothing to refuse");
    return;
  }
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Contains("cuda.toml: trainers.device: expected a device this LibTorch can "
                             "train on") &&
                        Contains("found \"cuda:0\""));
  CHECK(run_cli("run " + d.file("cuda.toml") + " --out " + d.file("run")).status == 1);
  CHECK_FALSE(std::filesystem::exists(d.file("run")));
}

TEST_CASE("Commands on a directory that does not exist say so", "[app]") {
  for (const char* command :
       {"inspect", "report", "compare", "resume", "replay", "extract --task a --out a.h5"}) {
    const std::string line = command;
    const auto space = line.find(' ');
    const CliResult r = run_cli(space == std::string::npos
                                    ? line + " /no/such/run"
                                    : line.substr(0, space) + " /no/such/run" + line.substr(space));
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("/no/such/run: no such directory"));
  }
}

TEST_CASE("Installed, the program runs from PATH and finds its shipped scenarios", "[app]") {
  TempDir d;
  const std::string install = std::string(EVOSTREAM_CMAKE) + " --install " + EVOSTREAM_BUILD_DIR +
                              " --prefix " + d.file("prefix") + " > " + d.file("log") + " 2>&1";
  REQUIRE(std::system(install.c_str()) == 0);
  const std::string program = d.file("prefix") + "/bin/evostream";
  CHECK(std::filesystem::exists(program));
  CHECK(std::filesystem::exists(d.file("prefix") + "/share/evostream/configs/smoke.toml"));
  const std::string version = program + " --version > " + d.file("v") + " 2>&1";
  CHECK(std::system(version.c_str()) == 0);
  CHECK_THAT(slurp(d.file("v")), Contains("evostream 0.1.0"));
  // The commands it prints read as it was invoked: `evostream ...` from PATH, the path otherwise.
  std::filesystem::create_directory(d.file("empty"));
  const std::string from_path = "PATH=" + d.file("prefix") + "/bin:$PATH evostream report " +
                                d.file("empty") + " > " + d.file("r") + " 2>&1";
  CHECK(std::system(from_path.c_str()) != 0);
  CHECK_THAT(slurp(d.file("r")), Contains("start one with `evostream run SCENARIO --out DIR`"));
  CHECK_THAT(run_cli("report " + d.file("empty")).err,
             Contains("start one with `" + std::string(EVOSTREAM_BINARY) + " run SCENARIO"));
}

TEST_CASE("bench blas prints JSON on request, and each benchmark has its own help", "[app]") {
  const CliResult r = run_cli("bench blas --json");
  CHECK(r.status == 0);
  CHECK_THAT(r.out,
             Contains("{\"gflops\":") && Contains("\"library\":") && Contains("\"optimised\":"));
  const CliResult help = run_cli("bench trainer --help");
  CHECK(help.status == 0);
  CHECK_THAT(help.out, Contains("--trainable") && !Contains("--tasks-scenario"));
  CHECK_THAT(run_cli("bench trainr").err,
             Contains("unknown command 'trainr' (did you mean 'trainer'?)"));
}

TEST_CASE("run learns the smoke stream and writes results.json", "[app]") {
  TempDir dir;
  const CliResult r = run_cli("run " + config("smoke.toml") + " --out " + dir.file("run"));
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("committed b-rotated"));
  CHECK_THAT(r.out, Contains("mu2net: average accuracy"));
  const std::string json = slurp(dir.file("run/results.json"));
  for (const char* key :
       {"\"strategy\": \"mu2net\"", "\"average_accuracy\"", "\"bwt\": 0.0", "\"forgetting\"",
        "\"max_forgetting\"", "\"accuracy_matrix\"", "\"tasks\"", "\"name\": \"a-pairs\"",
        "\"test_accuracy\"", "\"accounted_params\"", "\"params_added\"", "\"inference_flops\""}) {
    INFO(key);
    CHECK_THAT(json, Contains(key));
  }
  CHECK(std::filesystem::exists(dir.file("run/scenario.toml")));
  REQUIRE(std::filesystem::exists(dir.file("run/root.h5")));

  // A task's confusion matrix in the report agrees with its test accuracy in the results.
  const CliResult report =
      run_cli("report " + dir.file("run") + " --confusion a-pairs --confusion b-rotated");
  REQUIRE(report.status == 0);
  const std::string page = slurp(dir.file("run/report.html"));
  CHECK_THAT(page, Contains("<h2>Confusion matrix of a-pairs</h2>") &&
                       Contains("<h2>Confusion matrix of b-rotated</h2>"));
  const auto results = nlohmann::json::parse(json);
  std::smatch m;
  const std::regex right(
      R"(Confusion matrix of a-pairs</h2>\n<p class="note">[^(]*\((\d+) of (\d+) right)");
  REQUIRE(std::regex_search(page, m, right));
  double accuracy = -1.0;
  for (const auto& t : results.at("tasks")) {
    if (t.at("name") == "a-pairs")
      accuracy = t.at("test_accuracy").get<double>();
  }
  CHECK(std::stod(m[1].str()) / std::stod(m[2].str()) == Approx(accuracy));
  const CliResult unknown = run_cli("report " + dir.file("run") + " --confusion nope");
  CHECK(unknown.status == 1);
  CHECK_THAT(unknown.err, Contains("--confusion: expected a task of run"));
  CHECK(run_cli("report " + dir.file("run") + " --confusion a-pairs --dot").status == 2);

  // Forward transfer: each task after the first probed on the path before it and on the root.
  const CliResult transfer = run_cli("report " + dir.file("run") + " --transfer");
  REQUIRE(transfer.status == 0);
  CHECK_THAT(transfer.out, Contains("forward transfer (linear probes, mean over 2 tasks): "));
  CHECK_THAT(transfer.err, Contains("forward transfer: probing b-rotated (2 of 2)"));
  const std::string with_transfer = slurp(dir.file("run/report.html"));
  CHECK_THAT(with_transfer, Contains("<h2>Forward transfer</h2>") &&
                                Contains("<tr><td>b-rotated</td><td>a-pairs</td>"));
  CHECK(run_cli("report " + dir.file("run") + " --transfer --dot").status == 2);

  // The root it wrote can be reused by another strategy on the same stream.
  const CliResult b = run_cli("run " + config("smoke.toml") + " --strategy sequential --seed 3" +
                              " --root " + dir.file("run/root.h5") + " --out " + dir.file("seq"));
  REQUIRE(b.status == 0);
  CHECK_THAT(b.out, Contains("root imported from"));
  CHECK_THAT(slurp(dir.file("seq/results.json")), Contains("\"seed\": 3"));
  CHECK_THAT(slurp(dir.file("seq/results.json")), Contains("\"strategy\": \"sequential\""));
}

TEST_CASE("Forward transfer is refused for a simulated run, which has no model", "[app]") {
  TempDir dir;
  REQUIRE(run_cli("run " + config("simulated.toml") + " --set simulation.tasks=3 --quiet --out " +
                  dir.file("sim"))
              .status == 0);
  const CliResult r = run_cli("report " + dir.file("sim") + " --transfer");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Contains("--transfer: run " + dir.file("sim") +
                             " trained in simulation: it has no model to probe"));
}

TEST_CASE("With two trainers the orchestration time stays within the stream's", "[app]") {
  TempDir d;
  REQUIRE(
      run_cli("run " + config("smoke.toml") + " --out " + d.file("run") + " --trainers 2 --quiet")
          .status == 0);
  const auto results = nlohmann::json::parse(slurp(d.file("run/results.json")));
  const double stream = results.at("stream_seconds").get<double>();
  const double orchestration = results.at("orchestration_seconds").get<double>();
  INFO("stream " << stream << " s, orchestration " << orchestration << " s, trainers' sum "
                 << results.at("train_seconds").get<double>() << " s");
  CHECK(orchestration >= 0.0);
  CHECK(orchestration <= stream);
}

TEST_CASE("Keys overridden with --set are validated like the file, and the run keeps them",
          "[app]") {
  const CliResult listed = run_cli("tasks " + config("smoke.toml") +
                                   " --set strategy.task_steps=40 --set tasks[1].max_train=10");
  CHECK(listed.status == 0);
  CHECK_THAT(listed.out, Contains("40 steps per task visit") && Contains("max 10 train"));
  const CliResult bad = run_cli("tasks " + config("smoke.toml") + " --set strategy.task_steps=-3");
  CHECK(bad.status == 1);
  CHECK_THAT(bad.err, Contains("smoke.toml: strategy.task_steps: expected an integer in "
                               "1..1000000000, found -3 (given with --set)"));
  CHECK_THAT(run_cli("tasks " + config("smoke.toml") + " --set nokey").err,
             Contains("--set nokey: expected KEY=VALUE"));
  CHECK_THAT(run_cli("tasks " + config("smoke.toml") + " --set tasks[9].max_train=1").err,
             Contains("tasks[9]: no such entry (the scenario has 3 tasks)"));
  CHECK_THAT(run_cli("tasks " + config("smoke.toml") + " --set strategy.task_steps.x=1").err,
             Contains("strategy.task_steps is a value, not a table"));
  // A bare word is a string.
  CHECK_THAT(run_cli("tasks " + config("smoke.toml") + " --set strategy.name=ewc").out,
             Contains("strategy ewc"));
  TempDir d;
  REQUIRE(run_cli("run " + config("smoke.toml") + " --set strategy.task_steps=40 --out " +
                  d.file("run") + " --quiet")
              .status == 0);
  CHECK_THAT(slurp(d.file("run/scenario.toml")),
             Contains("with --set strategy.task_steps=40") && Contains("task_steps = 40"));
  // Replayed from what it kept, the run reaches its own state.
  CHECK(run_cli("replay " + d.file("run") + " --quiet").status == 0);
}

TEST_CASE("run --seeds runs each seed and compares them with their spread", "[app]") {
  TempDir d;
  const CliResult r =
      run_cli("run " + config("smoke.toml") + " --seeds 1,2 --out " + d.file("sweep") + " --quiet");
  CHECK(r.status == 0);
  CHECK(std::filesystem::exists(d.file("sweep/seed-1/results.json")));
  CHECK(std::filesystem::exists(d.file("sweep/seed-2/results.json")));
  CHECK_THAT(r.out, Contains("mean ± std (2 seeds)"));
  CHECK(run_cli("run " + config("smoke.toml") + " --seeds 1,2 --seed 3").status == 2);
  const CliResult csv =
      run_cli("compare " + d.file("sweep/seed-1") + " " + d.file("sweep/seed-2") + " --csv");
  CHECK(csv.status == 0);
  CHECK_THAT(csv.out, Contains("metric,") && Contains("average_accuracy,"));
  CHECK(run_cli("compare " + d.file("sweep/seed-1") + " --csv --json").status == 2);
}

TEST_CASE("run refuses an unknown strategy and a missing root file", "[app]") {
  const CliResult r = run_cli("run " + config("smoke.toml") + " --strategy icarl");
  CHECK(r.status == 2);
  CHECK(lines(r.err) == 1);
  CHECK_THAT(r.err, Contains("--strategy"));
  const CliResult m = run_cli("run " + config("smoke.toml") + " --root /nonexistent/root.h5");
  CHECK(m.status == 2);
  CHECK_THAT(m.err, Contains("/nonexistent/root.h5"));
}

TEST_CASE("run reports scenario errors before anything else", "[app]") {
  TempDir dir;
  const std::string path = dir.file("bad.toml");
  write_text(path, minimal_scenario("shots = -3\n"));
  const CliResult r = run_cli("run " + path);
  CHECK(r.status == 1);
  CHECK(lines(r.err) == 1);
  CHECK_THAT(r.err, Contains("tasks[0].shots: expected an integer in 0..100000, found -3"));
}

TEST_CASE("bench blas names the BLAS library and its speed", "[app]") {
  const CliResult r = run_cli("bench blas");
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("BLAS: /"));
  CHECK_THAT(r.out, Contains("GFLOP/s"));
}

TEST_CASE("bench trainer prints images per second and FLOP utilisation as JSON", "[app]") {
  const CliResult r = run_cli("bench trainer --trainable top --steps 2 --repetitions 1 --json");
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("\"trainable\": \"top\""));
  CHECK_THAT(r.out, Contains("\"images_per_second\": "));
  CHECK_THAT(r.out, Contains("\"utilisation\": "));
  CHECK(lines(r.out) == 1);
  // SupSup's masks and ImpressLearn's coefficients on the masked-fc net.
  for (const std::string trainable : {"masks", "coefficients"}) {
    const CliResult m =
        run_cli("bench trainer --trainable " + trainable + " --steps 2 --repetitions 1 --json");
    CHECK(m.status == 0);
    CHECK_THAT(m.out, Contains("\"trainable\": \"" + trainable + "\""));
    CHECK_THAT(m.out, Contains("\"flops_per_image\": 1969200"));
  }
}

TEST_CASE("bench root trains the smoke root and exports it for import", "[app]") {
  TempDir dir;
  const CliResult r =
      run_cli("bench root --scenario " + config("smoke.toml") + " --export " + dir.file("root.h5"));
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("test accuracy"));
  CHECK_THAT(r.out, Contains("root written to"));
  CHECK(std::filesystem::exists(dir.file("root.h5")));
  // A scenario that imports a root is refused by bench root, which trains one.
  const std::string path = dir.file("import.toml");
  write_text(path,
             "name = \"i\"\n[root]\nsource = \"import\"\nfile = \"root.h5\"\n"
             "[[tasks]]\nname = \"a\"\ndataset = \"fashion-mnist\"\n");
  const CliResult refused = run_cli("bench root --scenario " + path);
  CHECK(refused.status == 1);
  CHECK_THAT(refused.err, Contains("root.source is not \"train\""));
}

TEST_CASE("Tasks arrive after their delay unless run is told to go fast", "[app]") {
  TempDir dir;
  std::string text = slurp(config("smoke.toml"));
  const std::string anchor = "name = \"a-pairs\"\n";
  text.replace(text.find(anchor), anchor.size(), anchor + "delay = 1.5\n");
  write_text(dir.file("delayed.toml"), text);
  const auto t0 = std::chrono::steady_clock::now();
  const CliResult r = run_cli("run " + dir.file("delayed.toml") + " --out " + dir.file("a"));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(r.status == 0);
  // a-pairs arrives 1.5 s after b-all did; the wait is what is left of that after b-all's visit.
  CHECK_THAT(r.out, Contains(" s for a-pairs to arrive"));
  CHECK(seconds >= 1.5);
  const CliResult fast =
      run_cli("run " + dir.file("delayed.toml") + " --fast --out " + dir.file("b"));
  REQUIRE(fast.status == 0);
  CHECK(fast.out.find("waiting") == std::string::npos);
}
