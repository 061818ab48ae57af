# The two commands: `make demo` and `make test`. Both install what is missing, configure a
# Release build in build/ and build it; demo then runs the default scenario, test runs every test.

BUILD_DIR ?= build
JOBS ?= 2
SCENARIO ?= configs/quickstart.toml
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: demo test build deps configure clean format

demo: build
	./$(BUILD_DIR)/evostream tasks $(SCENARIO)
	@echo
	@echo "Running the stream (evostream run) arrives with evolution and the actor system."
	@echo "Available now: ./$(BUILD_DIR)/evostream bench root --scenario $(SCENARIO)  (trains the root, ~3 min)"
	@echo "               ./$(BUILD_DIR)/evostream bench trainer --trainable top"

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

configure: deps
	@if [ ! -f $(BUILD_DIR)/CMakeCache.txt ]; then cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS); fi

deps:
	@scripts/install-deps

format:
	clang-format -i $$(git ls-files '*.hpp' '*.cpp')

clean:
	rm -rf $(BUILD_DIR)
