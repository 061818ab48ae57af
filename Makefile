# The two commands: `make demo` and `make test`. Both install what is missing, configure a
# Release build in build/ and build it; demo then runs the default scenario, test runs every test.

BUILD_DIR ?= build
JOBS ?= 2
SCENARIO ?= configs/quickstart.toml
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: demo test bench build deps configure clean format

demo: build
	./$(BUILD_DIR)/evostream tasks $(SCENARIO)
	./$(BUILD_DIR)/evostream run $(SCENARIO) --force
	@echo
	@echo "Open runs/$$(basename $(SCENARIO) .toml)/report.html in a browser; inspect it with:"
	@echo "  ./$(BUILD_DIR)/evostream inspect runs/$$(basename $(SCENARIO) .toml)"

# The tests also render the HTML report in headless Chromium.
test: DEPS_FLAGS := --test
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

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
	rm -rf $(BUILD_DIR)
