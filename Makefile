# Kring's build, test and lint entry points. `make help` lists them.
#
# Everything here needs only the Go toolchain, gcc (for the race detector) and
# the Go module proxy: tools are pinned and run through `go run pkg@version`,
# nothing is installed by hand.

SHELL := bash
.SHELLFLAGS := -euo pipefail -O inherit_errexit -c
.ONESHELL:
.DEFAULT_GOAL := help

GO ?= go

# Keep the caller's GOFLAGS (e.g. -buildvcs=false) and make sure no target
# rewrites go.mod or go.sum behind anyone's back.
export GOFLAGS := $(strip $(GOFLAGS) -mod=readonly)

# Pinned tools.
STATICCHECK_VERSION ?= v0.8.2

# Packages that run under the race detector: paths below the module root,
# matched against `go list ./...` so that a directory without Go files yet
# (git keeps no empty directories) is simply absent rather than an error.
RACE_DIRS := protocol trust node testnet
# Packages whose Go benchmarks `make gobench` runs, and whose fuzz targets `make fuzz` runs.
BENCH_DIRS := protocol trust node
FUZZ_DIRS := protocol node/api cmd/kring

TEST_TIMEOUT ?= 10m
TESTFLAGS ?=
BENCH ?= .
BENCHTIME ?= 1s
BENCHCOUNT ?= 1
FUZZTIME ?= 30s

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS = -X main.version=$(VERSION)

# pkgs_under(dirs): the import paths of the module's packages below the given
# top-level directories, one per line (bash, used inside recipes).
empty :=
space := $(empty) $(empty)
define pkgs_under
mod=$$($(GO) list -m)
all=$$($(GO) list ./...)
printf '%s\n' "$$all" | { grep -E "^$${mod}/($(subst $(space),|,$(strip $(1))))(/|$$)" || true; }
endef

.PHONY: help
help:
	@cat <<'EOF'
	make build   go build ./... and the binaries into bin/: kring, and kring-testnet (the harness)
	make test    all tests (fuzz seed corpora included); race detector on $(RACE_DIRS)
	make lint    gofmt check, go vet, staticcheck $(STATICCHECK_VERSION)
	make demo    the demo circle: seven nodes on loopback, narrated (kring-testnet demo)
	make bench   the circle benchmarks beside their baselines (kring-testnet bench), report in bench-out/<date>/
	make bench-quick  the same, small (about 3 minutes)
	make gobench Go benchmarks of $(BENCH_DIRS) (BENCH=regexp BENCHTIME=1s BENCHCOUNT=1), also written to bench-out/
	make soak    the crash loop: a node process SIGKILLed 50 times while it publishes and receives (KRING_CRASH_KILLS=n, KRING_CRASH_SEED=n to replay)
	make fuzz    short local fuzzing of every Fuzz target in $(FUZZ_DIRS) (FUZZTIME=$(FUZZTIME) each)
	make fmt     gofmt -w on the module's Go files
	make clean   remove bin/ and bench-out/
	EOF

.PHONY: build
build:
	$(GO) build ./...
	mkdir -p bin
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/kring ./cmd/kring
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/kring-testnet ./cmd/kring-testnet

.PHONY: test
test:
	@race=$$( $(call pkgs_under,$(RACE_DIRS)) )
	if [ -z "$$race" ]; then
	  echo "make test: found no packages under $(RACE_DIRS); is this the Kring module root?" >&2
	  exit 1
	fi
	rest=$$($(GO) list ./... | grep -vxF -e "$$race" || true)
	echo "== go test -race ($(RACE_DIRS))"
	$(GO) test -race -timeout $(TEST_TIMEOUT) $(TESTFLAGS) $$race
	if [ -n "$$rest" ]; then
	  echo "== go test (other packages)"
	  $(GO) test -timeout $(TEST_TIMEOUT) $(TESTFLAGS) $$rest
	fi

# The long crash loop; `make test` runs a short one (KRING_CRASH_KILLS unset).
.PHONY: soak
soak:
	KRING_CRASH_KILLS=$${KRING_CRASH_KILLS:-50} $(GO) test -run '^TestKilledNodeKeepsAcknowledgedOps$$' -count 1 -v -timeout 60m ./testnet

# Go files to check with gofmt: everything tracked or new, except testdata.
GOFILES_CMD := find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -not -path './bin/*'

.PHONY: lint
lint:
	@echo "== gofmt -l"
	unformatted=$$($(GOFILES_CMD) -print0 | xargs -0 -r gofmt -l)
	if [ -n "$$unformatted" ]; then
	  echo "these files are not gofmt-formatted (run make fmt):" >&2
	  echo "$$unformatted" >&2
	  exit 1
	fi
	echo "== go vet ./..."
	$(GO) vet ./...
	echo "== staticcheck $(STATICCHECK_VERSION) ./..."
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

.PHONY: fmt
fmt:
	$(GOFILES_CMD) -print0 | xargs -0 -r gofmt -w

.PHONY: bench
bench: build
	@out=bench-out/$$(date -u +%Y%m%dT%H%M%SZ)
	bin/kring-testnet bench --out "$$out"

.PHONY: bench-quick
bench-quick: build
	@out=bench-out/quick-$$(date -u +%Y%m%dT%H%M%SZ)
	bin/kring-testnet bench --quick --out "$$out"

.PHONY: gobench
gobench:
	@pkgs=$$( $(call pkgs_under,$(BENCH_DIRS)) )
	if [ -z "$$pkgs" ]; then echo "make gobench: no packages under $(BENCH_DIRS)" >&2; exit 1; fi
	mkdir -p bench-out
	out=bench-out/bench-$$(date -u +%Y%m%dT%H%M%SZ).txt
	echo "== go test -bench '$(BENCH)' ($(BENCH_DIRS)) -> $$out"
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) $$pkgs | tee "$$out"

.PHONY: fuzz
fuzz:
	@pkgs=$$( $(call pkgs_under,$(FUZZ_DIRS)) )
	found=0
	for p in $$pkgs; do
	  list=$$($(GO) test -list '^Fuzz' "$$p")
	  for f in $$(printf '%s\n' "$$list" | { grep '^Fuzz' || true; }); do
	    found=1
	    echo "== $$p $$f for $(FUZZTIME)"
	    $(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) "$$p"
	  done
	done
	if [ "$$found" = 0 ]; then echo "make fuzz: no Fuzz targets under $(FUZZ_DIRS) yet"; fi

.PHONY: demo
demo: build
	bin/kring-testnet demo $(if $(DEMO_DIR),--dir $(DEMO_DIR),)

.PHONY: clean
clean:
	rm -rf bin bench-out
