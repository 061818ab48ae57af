#pragma once

#include <ostream>
#include <string>

namespace evostream::app {

/// `evostream bench root [--scenario FILE]`: trains a scenario's root from scratch on its
/// pretraining task and reports validation progress, test accuracy and wall time.
///
/// The check that the trainer learns: vit-tiny on Fashion-MNIST 10-way should pass 88% test
/// accuracy within five minutes on 2 cores.
class RootBenchCommand {
 public:
  /// `export_path`: where to write the trained root (HDF5 component file); empty: nowhere.
  RootBenchCommand(std::string scenario, std::string export_path)
      : scenario_(std::move(scenario)), export_path_(std::move(export_path)) {}
  /// Runs the command, printing to `out`; returns the exit status.
  int run(std::ostream& out) const;

 private:
  std::string scenario_;
  std::string export_path_;
};

}  // namespace evostream::app
