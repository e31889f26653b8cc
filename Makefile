# Thin wrappers; the real work is in CMake and scripts/. `make run` and `make test` work on a
# fresh Debian 12 machine: both install what is missing first.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
BINARY := $(BUILD_DIR)/src/socialgate
JOBS ?= $(shell nproc)

.PHONY: deps test-tools configure build install run check test test-asan test-tsan fuzz clean format

deps:
	@scripts/install-deps

# Prism (npm) for the conformance tests against Meta's OpenAPI spec.
test-tools: deps
	@scripts/install-test-tools

configure: deps
	@test -f $(BUILD_DIR)/build.ninja || cmake --preset $(PRESET)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The release binary, its systemd unit (sysusers.d, tmpfiles.d), an example config at
# /etc/socialgate/socialgate.toml when there is none, and the docs (cmake/Install.cmake;
# docs/operations.md, "Install"). Only the binary is built for it. Packagers:
#   make install PREFIX=/usr DESTDIR=/tmp/stage
PREFIX ?= /usr/local
install: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target socialgate
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR) --prefix "$(PREFIX)"

run: build
	@mkdir -p var
	$(BINARY) serve --config config/demo.toml

# One preset's build and its whole suite (unit, integration, conformance), with warnings as
# errors whatever the compiler (a plain `make build` keeps them errors only with the compilers
# the project is tested with: cmake/Warnings.cmake). Under TSan the first race report stops the
# process that has it (a test, or the gateway it started, which the test then sees die), as
# ASan's reports do.
#
# The sanitizer presets test with the release build's tools/fake-graph (tools/CMakeLists.txt):
# it is the tests' stand-in for Meta, so it is built once, not once per preset.
SANITIZER_PRESETS := asan tsan
RELEASE_FAKE_GRAPH := $(CURDIR)/build/release/tools/fake-graph/fake-graph
check: deps test-tools
	$(if $(filter $(SANITIZER_PRESETS),$(PRESET)),@$(MAKE) --no-print-directory release-fake-graph)
	@cmake --preset $(PRESET) -DSOCIALGATE_WERROR=ON \
	  $(if $(filter $(SANITIZER_PRESETS),$(PRESET)),-DSOCIALGATE_FAKE_GRAPH=$(RELEASE_FAKE_GRAPH)) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)
	TSAN_OPTIONS="$${TSAN_OPTIONS:-halt_on_error=1}" ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# What CI runs: the suite on the release build, the same suite again built with ASan+UBSan and
# with ThreadSanitizer (a sanitizer report fails its test), then each libFuzzer target for 20 s.
test:
	$(MAKE) check PRESET=$(PRESET)
	$(if $(filter asan,$(PRESET)),,$(MAKE) check PRESET=asan)
	$(if $(filter tsan,$(PRESET)),,$(MAKE) check PRESET=tsan)
	JOBS=$(JOBS) scripts/run-fuzz

# fake-graph from the release preset, with warnings as errors as `check` builds it.
.PHONY: release-fake-graph
release-fake-graph: deps
	@cmake --preset release -DSOCIALGATE_WERROR=ON >/dev/null
	cmake --build build/release -j $(JOBS) --target fake-graph

test-asan:
	$(MAKE) check PRESET=asan

test-tsan:
	$(MAKE) check PRESET=tsan

# Benchmarks: always the release build; writes docs/benchmarks.md (bench/run.py, about 8 min).
# A quick check: make bench BENCH_ARGS="--only ingest --duration 3"
# Kannel (Debian's package) for the comparison row is installed here, not by deps or make test.
.PHONY: bench
bench: deps
	@scripts/install-bench-tools
	@test -f build/release/build.ninja || cmake --preset release
	cmake --build build/release -j $(JOBS) --target socialgate fake-graph beast_ceiling template_check_bench \
	  number_check_bench
	python3 bench/run.py $(BENCH_ARGS)

# The libFuzzer targets (tests/fuzz, clang, in build/fuzz) for FUZZ_SECONDS per target; `make
# test` runs them for 20 s each.
fuzz: deps
	JOBS=$(JOBS) scripts/run-fuzz $(or $(FUZZ_SECONDS),300)

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
