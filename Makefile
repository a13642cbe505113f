# godl — a Jupyter kernel for Go deep-learning notebooks.
#
#   make lab    build, install the kernel, open the tutorial notebooks in JupyterLab
#   make check  the contributors' inner loop, under a minute: vet, gofmt, the
#               short tests (the rewriter's goldens too), the kernel under -race
#   make test   everything CI runs: go vet, unit tests (asm and noasm, the
#               kernel under -race), end-to-end tests
#   make golden rewrite the golden files of the tests from their PyTorch scripts
#   make bench  godl against PyTorch 2 side by side; writes BENCHMARKS.md (bench/README.md)
SHELL := /bin/bash
GO ?= go
VENV := .venv
PY := $(VENV)/bin/python
BIN := bin/godl

.PHONY: build install lab check check-short check-race test test-go test-e2e golden bench venv notebooks clean system-deps system-deps-lab

# The kernel's packages and widgets run concurrent code (control requests
# while a cell runs, the worker's pipes, callbacks beside goroutines that
# Set values): their tests run under the race detector.
RACE_PKGS := ./kernel ./kernel/engine ./kernel/engine/rt ./kernel/engine/worker ./kernel/engine/workerproto ./widgets
# Everything else (the rewriter is pure; its goldens run here).
OTHER_PKGS = $$($(GO) list ./... | grep -v -x -E 'github.com/godl-dev/godl/(kernel(/engine(/rt|/worker|/workerproto)?)?|widgets)')

build:
	$(GO) build -o $(BIN) .

# System packages (gcc, python3-venv, chromium, npm, mold, the Fashion-MNIST
# data set): installed with apt when run as root on Debian, else named.
system-deps:
	@scripts/system-deps.sh test
system-deps-lab:
	@scripts/system-deps.sh lab

# The Python side (Jupyter clients, JupyterLab, the conformance suite) lives in a venv:
# Debian refuses a bare pip install. Versions are pinned in tests/requirements.txt.
$(VENV)/.stamp: tests/requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -r tests/requirements.txt
	touch $@
venv: $(VENV)/.stamp

# install writes the kernelspec for the current user (JUPYTER_DATA_DIR is
# honoured) and pre-warms the plugin build cache.
install: system-deps-lab build venv
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(BIN) install --user

lab: install
	$(VENV)/bin/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root) notebooks/

# The race tests mostly wait (kernels starting, replies): they run beside
# the CPU-bound short tests.
check:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go' ':!notebooks/_src')); test -z "$$out" || { echo "not gofmt-ed:"; echo "$$out"; exit 1; }
	$(MAKE) --no-print-directory -j2 --output-sync=target check-short check-race

check-short:
	$(GO) test -short $(OTHER_PKGS)

check-race:
	$(GO) test -race -short $(RACE_PKGS)

test: system-deps build venv
	$(GO) vet ./...
	$(MAKE) test-go
	$(MAKE) test-e2e

test-go:
	$(GO) test -count=1 $(OTHER_PKGS)
	$(GO) test -count=1 -race $(RACE_PKGS)
	$(GO) test -count=1 -tags noasm ./dl/...

test-e2e: build venv
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH GODL_BIN=$(CURDIR)/$(BIN) $(PY) -m pytest -v tests/

# golden reruns every testdata/gen_*.py, each rewriting its golden file
# through internal/golden/goldenfile.py (the format; the PyTorch version
# checked and recorded; numbers that moved by float noise only keep their
# committed spelling, so a rerun elsewhere changes nothing). TORCH_PYTHON
# has PyTorch 1.13 (Debian's python3-torch). The optimizers' repr needs
# PyTorch 2 and the safetensors cross-checks the safetensors package: their
# scripts run when TORCH2_PYTHON and SAFETENSORS_PYTHON (PyTorch 1.13 with
# safetensors and numpy) name such a Python, and are skipped, saying so,
# otherwise.
TORCH_PYTHON ?= /usr/bin/python3
TORCH2_PYTHON ?=
SAFETENSORS_PYTHON ?=
GOLDEN_TORCH2 := dl/optim/testdata/gen_repr.py
GOLDEN_SAFETENSORS := dl/nn/testdata/gen_torch_safetensors.py dl/nn/testdata/gen_safetensors.py
GOLDEN_TORCH := $(filter-out $(GOLDEN_TORCH2) $(GOLDEN_SAFETENSORS),$(sort $(wildcard */testdata/gen_*.py */*/testdata/gen_*.py */*/*/testdata/gen_*.py)))

golden:
	@echo "PyTorch $$($(TORCH_PYTHON) -c 'import torch; print(torch.__version__)' 2>/dev/null || echo '(none)') ($(TORCH_PYTHON))"
	@set -e; for s in $(GOLDEN_TORCH); do $(TORCH_PYTHON) $$s; done
	@if [ -n "$(TORCH2_PYTHON)" ]; then set -e; for s in $(GOLDEN_TORCH2); do $(TORCH2_PYTHON) $$s; done; \
	else echo "skipped $(GOLDEN_TORCH2): it needs PyTorch 2 (make golden TORCH2_PYTHON=python)"; fi
	@if [ -n "$(SAFETENSORS_PYTHON)" ]; then set -e; for s in $(GOLDEN_SAFETENSORS); do $(SAFETENSORS_PYTHON) $$s; done; \
	else echo "skipped $(GOLDEN_SAFETENSORS): they need safetensors (make golden SAFETENSORS_PYTHON=python)"; fi
	@git diff --stat -- $(foreach d,$(sort $(dir $(GOLDEN_TORCH) $(GOLDEN_TORCH2) $(GOLDEN_SAFETENSORS))),$(d)*.json $(d)*.safetensors)

# notebooks writes notebooks/*.ipynb from their sources, notebooks/_src/*.go
# (cells in jupytext's percent format; go test ./notebooks fails when the
# notebooks are stale or a cell does not compile).
notebooks:
	$(GO) run ./notebooks/generate notebooks

# bench runs bench/run.py: the PyTorch rival lives in its own venv (.bench/venv,
# created on first use, several GB; or BENCH_VENV=path), never in `make test`.
#   make bench                   everything (about 20 min), writes BENCHMARKS.md
#   make bench QUICK=1           a short version of every section
#   make bench BENCH=steps,gemm  some sections (fmnist memory steps gemm latency soak)
bench:
	python3 bench/run.py $(if $(QUICK),--quick) $(if $(BENCH),--only $(BENCH)) $(BENCHFLAGS)

clean:
	rm -rf bin $(VENV)
