# The two commands: `make demo` and `make test`. Both install what is missing, configure a
# Release build in build/ and build it; demo then runs the default scenario, test runs every test.

BUILD_DIR ?= build
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 30
JOBS ?= 2
SCENARIO ?= configs/quickstart.toml
PREFIX ?= /usr/local
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: demo test fuzz-build install bench build deps configure clean format

demo: build
	./$(BUILD_DIR)/evostream tasks $(SCENARIO)
	@if [ -d runs/$$(basename $(SCENARIO) .toml) ]; then \
	  echo "make demo: replacing the earlier runs/$$(basename $(SCENARIO) .toml) (rename it to keep it)"; fi
	./$(BUILD_DIR)/evostream run $(SCENARIO) --force
	@echo
	@echo "Open runs/$$(basename $(SCENARIO) .toml)/report.html in a browser; inspect it with:"
	@echo "  ./$(BUILD_DIR)/evostream inspect runs/$$(basename $(SCENARIO) .toml)"

# The tests also render the HTML report in headless Chromium, then run each fuzz target for
# FUZZ_SECONDS from its seed corpus.
test: DEPS_FLAGS := --test
test: build fuzz-build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	cd $(FUZZ_DIR) && ctest --output-on-failure -j $(JOBS)

# The libFuzzer targets (fuzz/), built with clang beside the main build, whose model library
# they link.
fuzz-build: build
	cmake -S fuzz -B $(FUZZ_DIR) -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  -DEVOSTREAM_BUILD=$(abspath $(BUILD_DIR)) -DFUZZ_SECONDS=$(FUZZ_SECONDS) > /dev/null
	cmake --build $(FUZZ_DIR) -j $(JOBS)

# Installs the program into PREFIX/bin and the shipped scenarios into PREFIX/share/evostream.
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# The micro benchmarks (Google Benchmark), each printing its figures.
bench: build
	for b in streams model storage actors; do ./$(BUILD_DIR)/bench/bench_$$b; done

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

configure: deps
	@if [ ! -f $(BUILD_DIR)/CMakeCache.txt ]; then cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS); fi

deps:
	@scripts/install-deps $(DEPS_FLAGS)

format:
	clang-format -i $$(git ls-files '*.hpp' '*.cpp')

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)
