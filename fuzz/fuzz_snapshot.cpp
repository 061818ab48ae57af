// libFuzzer target: a snapshot as `resume` reads it: the whole-file check, then (for an intact
// file) the HDF5 component file and its progress text. Only StorageError may come out. The
// check keeps mutated bytes away from HDF5, whose parser a malformed file can crash;
// fuzz_progress covers the progress text behind it.
#include "fuzz/fuzz_input.hpp"
#include "storage/component_file.hpp"
#include "storage/progress_codec.hpp"
#include "storage/storage_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evostream;
  const fuzz::FuzzInput input(data, size);
  try {
    storage::ComponentSet set =
        storage::ComponentFile::read(input.path(), "evostream-snapshot", true);
    model::RunProgress progress;
    model::ProgressStep step;
    storage::ProgressCodec::decode(set.texts["state"], input.path(), progress, step);
    storage::ProgressCodec::fold(step, progress);
  } catch (const storage::StorageError& e) {
    fuzz::explain(e);
  }
  return 0;
}

