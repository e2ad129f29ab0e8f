# Switchyard build. Every target installs what it needs first (Debian packages
# through apt-get, as root), so a fresh machine with only Go and gcc works.

export GOTOOLCHAIN := local
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
BIN      := bin/switchyard
# Seconds each fuzz target runs in `make test` (longer runs: make fuzz FUZZTIME=5m).
FUZZTIME ?= 4s
CONFIG   ?=

.PHONY: all build run test unit lint fuzz bench deps-run deps-test deps-bench generate clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/switchyard

## run: the gateway on the embedded default config (CONFIG=file to use another)
run: deps-run build
	./$(BIN) run $(if $(CONFIG),-c $(CONFIG))

## test: everything CI runs: lint, unit and interop tests, brief fuzzing
test: deps-test lint unit
	./scripts/fuzz-brief.sh $(FUZZTIME)

# End-to-end packages drive real peers (SIPp, baresip, Chromium) against
# timing and packet-count expectations; they run after the others, one at a
# time, so that the rest of the suite does not starve them of CPU.
E2E := ./interop ./webrtc/e2e ./webrtc/interop

unit:
	$(GO) test -race -timeout 20m $$($(GO) list ./... | grep -v -e /interop -e /webrtc/e2e)
	$(GO) test -race -timeout 20m -p 1 $(E2E)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fuzz:
	./scripts/fuzz-brief.sh $(FUZZTIME)

## bench: micro-benchmarks of every package, then the side-by-side runs against
## rtpengine and Kamailio (package bench); results go to docs/BENCHMARKS.md
bench: deps-bench
	$(GO) test -p 1 -run '^$$' -bench . -benchmem -benchtime 2s $$($(GO) list ./... | grep -v /bench) | tee bench.out
	SWITCHYARD_BENCH=1 $(GO) test -p 1 -timeout 30m -run '^$$' -bench . -benchtime 1x ./bench/ | tee -a bench.out

generate:
	$(GO) generate ./...

deps-run:
	./scripts/install-deps.sh run

deps-test:
	./scripts/install-deps.sh test

deps-bench:
	./scripts/install-deps.sh bench

clean:
	rm -rf bin bench.out
