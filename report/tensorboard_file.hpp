#pragma once

#include <cstdint>
#include <string>

namespace evostream::report {

/// A TensorBoard event file being written: TFRecord records of `Event` protocol buffers, the
/// first naming the file version (`brain.Event:2`), then one per scalar.
///
/// The two messages are encoded here by hand (TensorFlow's `event.proto` and `summary.proto`:
/// `Event.wall_time` 1, `step` 2, `file_version` 3, `summary` 5; `Summary.value` 1;
/// `Summary.Value.tag` 1, `simple_value` 2); each record is the data's length (uint64), its
/// masked CRC-32C, the data and the data's masked CRC-32C, all little-endian, as TensorBoard
/// reads them. TensorBoard shows the scalars of every such file under its `--logdir`.
class TensorBoardFile {
 public:
  /// A file whose first event is stamped `wall_time` (seconds since the Unix epoch).
  explicit TensorBoardFile(double wall_time);

  /// Adds scalar `value` under `tag` at `step`, stamped `wall_time`.
  void scalar(const std::string& tag, int64_t step, double value, double wall_time);
  /// The file's bytes so far.
  const std::string& bytes() const { return bytes_; }
  /// Scalars added.
  int64_t scalars() const { return scalars_; }

  /// The CRC-32C (Castagnoli) of `data`.
  static uint32_t crc32c(const std::string& data);
  /// `data` framed as one TFRecord record.
  static std::string record(const std::string& data);

 private:
  std::string bytes_;
  int64_t scalars_ = 0;
};

}  // namespace evostream::report
