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

.PHONY: all build run test unit lint fuzz bench deps-run deps-test generate clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/switchyard

## run: the gateway on the embedded default config (CONFIG=file to use another)
run: deps-run build
	./$(BIN) run $(if $(CONFIG),-c $(CONFIG))

## test: everything CI runs: lint, unit and interop tests, brief fuzzing
test: deps-test lint unit
	./scripts/fuzz-brief.sh $(FUZZTIME)

unit:
	$(GO) test -race -timeout 20m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fuzz:
	./scripts/fuzz-brief.sh $(FUZZTIME)

## bench: benchmarks; results go to docs/BENCHMARKS.md by hand
bench: deps-test
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./... | tee bench.out

generate:
	$(GO) generate ./...

deps-run:
	./scripts/install-deps.sh run

deps-test:
	./scripts/install-deps.sh test

clean:
	rm -rf bin bench.out
