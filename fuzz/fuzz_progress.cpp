// libFuzzer target: the progress text of a snapshot chain, as `resume` folds it. The input is
// the texts of snapshots 0, 1, ... separated by NUL bytes; each is applied to the progress of
// the ones before. Only StorageError may come out.
#include <string>

#include "fuzz/fuzz_input.hpp"
#include "storage/progress_codec.hpp"
#include "storage/storage_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evostream;
  const std::string input(reinterpret_cast<const char*>(data), size);
  model::RunProgress progress;
  try {
    for (size_t from = 0; from <= input.size();) {
      const size_t to = std::min(input.find('\0', from), input.size());
      storage::ProgressCodec::apply(input.substr(from, to - from), "fuzz", progress);
      from = to + 1;
    }
  } catch (const storage::StorageError& e) {
    fuzz::explain(e);
  }
  return 0;
}
