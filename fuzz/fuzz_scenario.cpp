// libFuzzer target: the scenario parser on any text. Only ConfigError may come out (a scenario
// is parsed without reading its datasets).
#include <string>

#include "common/config_error.hpp"
#include "config/scenario_parser.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    evostream::config::ScenarioParser::parse_string(text, "fuzz.toml");
  } catch (const evostream::common::ConfigError& e) {
    evostream::fuzz::explain(e);
  }
  return 0;
}
