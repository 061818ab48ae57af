#include "support/cli.hpp"

#include <sys/wait.h>

#include <cstdlib>

#include "support/process.hpp"
#include "support/test_files.hpp"

namespace evostream::testing {

CliResult run_cli(const std::string& args) {
  TempDir dir;
  const std::string cmd = std::string(EVOSTREAM_BINARY) + " " + args + " > " + dir.file("out") +
                          " 2> " + dir.file("err") + " < /dev/null";
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(dir.file("out"));
  r.err = slurp(dir.file("err"));
  return r;
}

std::string config(const std::string& name) {
  return std::string(EVOSTREAM_SOURCE_DIR) + "/configs/" + name;
}

int lines(const std::string& s) {
  int n = 0;
  for (char c : s)
    n += c == '\n';
  return n;
}

}  // namespace evostream::testing
