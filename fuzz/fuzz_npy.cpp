// libFuzzer target: the .npy reader on any bytes, as images and as labels. Only DataError may
// come out.
#include "common/data_error.hpp"
#include "fuzz/fuzz_input.hpp"
#include "streams/npy_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const evostream::fuzz::FuzzInput input(data, size);
  try {
    evostream::streams::NpyReader::read_images(input.path());
  } catch (const evostream::common::DataError& e) {
    evostream::fuzz::explain(e);
  }
  try {
    evostream::streams::NpyReader::read_labels(input.path());
  } catch (const evostream::common::DataError& e) {
    evostream::fuzz::explain(e);
  }
  return 0;
}
