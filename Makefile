# Thin wrappers; the real work is in CMake and scripts/. `make run` and `make test` work on a
# fresh Debian 12 machine: both install what is missing first.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
BINARY := $(BUILD_DIR)/src/socialgate
JOBS ?= $(shell nproc)

.PHONY: deps test-tools configure build run test test-asan clean format

deps:
	@scripts/install-deps

# Prism (npm) for the conformance tests against Meta's OpenAPI spec.
test-tools: deps
	@scripts/install-test-tools

configure: deps
	@test -f $(BUILD_DIR)/build.ninja || cmake --preset $(PRESET)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@mkdir -p var
	$(BINARY) serve --config config/demo.toml

test: build test-tools
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

test-asan:
	$(MAKE) test PRESET=asan

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
