// libFuzzer target: the CIFAR reader on any bytes, in each variant. Only DataError may come out.
#include "common/data_error.hpp"
#include "fuzz/fuzz_input.hpp"
#include "streams/cifar_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using evostream::streams::CifarReader;
  const evostream::fuzz::FuzzInput input(data, size);
  for (const auto variant : {CifarReader::Variant::kCifar10, CifarReader::Variant::kCifar100Fine,
                             CifarReader::Variant::kCifar100Coarse}) {
    try {
      CifarReader::read(input.path(), variant);
    } catch (const evostream::common::DataError& e) {
      evostream::fuzz::explain(e);
    }
  }
  return 0;
}
