# Gen-IP — the two commands the README promises:
#   make demo   set everything up and run the main job
#   make test   set everything up and run every test
SHELL := /bin/bash
.DEFAULT_GOAL := help

TOOLS   := build/tools
UV      := $(TOOLS)/bin/uv
PY      := .venv/bin/python
FORGE   := node_modules/.bin/forge
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv
export UV_PYTHON_DOWNLOADS := never

.PHONY: help setup demo test test-contracts test-python lint contracts artifacts web-types gas audit prove clean

help:
	@echo "make demo   - local chain + contracts (and, as they land, indexer, API and web page)"
	@echo "make test   - lint, then every test: Solidity (forge), Slither, halmos, Python (pytest)"
	@echo "make lint   - ruff, mypy, import-linter (the layers), tsc --noEmit (part of make test)"
	@echo "make gas    - gas benchmark (scripts/bench_gas.py)"
	@echo "make audit  - Slither over contracts/src (triage: contracts/audit/TRIAGE.md)"
	@echo "make prove  - halmos proofs of the revenue split (contracts/test/halmos; part of make test)"

# `npm install` (not `npm ci`): it installs the versions pinned in package-lock.json, but tolerates optional
# platform packages of forge/anvil that were never published (npm ci refuses a lock without them).
node_modules/.package-lock.json: package.json package-lock.json
	npm install --no-audit --no-fund
	@touch $@

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==0.13.8

.venv/.synced: pyproject.toml uv.lock sdk/python/pyproject.toml setup.py genip/matching/popcount_scan.c genip/matching/popcount_build.py \
		genip/content/simhash.c genip/content/simhash_build.py indexer/_rawrows.c $(UV)
	$(UV) sync --frozen
	@touch $@

# The web page (web/): its own npm packages, bundled by Vite into web/dist, which the API serves at `/`.
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm install --no-audit --no-fund
	@touch $@

# Its generated sources are committed (web/src/generated: the API's types from its OpenAPI document, the ABIs
# `as const`), so the build needs neither Python nor forge. After changing the API's routes or schemas run
# `make web-types`; after changing the contracts `make artifacts` (tests fail while either is stale).
web/dist/index.html: web/node_modules/.package-lock.json web/index.html web/vite.config.js web/tsconfig.json \
		$(shell find web/src -type f)
	cd web && npm run build

web-types: .venv/.synced web/node_modules/.package-lock.json
	$(PY) scripts/export_openapi.py

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here); CI runs as root.
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	else echo "note: install Debian's chromium (sudo apt-get install chromium) to run the browser tests"; fi

setup: node_modules/.package-lock.json .venv/.synced web/dist/index.html /usr/bin/chromium

contracts: setup
	cd contracts && ../$(FORGE) build

# Re-export ABI + bytecode into the Python package (commit the result).
artifacts: contracts
	$(PY) scripts/export_artifacts.py

demo: setup
	.venv/bin/genip demo

test-contracts: setup
	cd contracts && ../$(FORGE) test

test-python: setup
	$(PY) -m pytest

test: lint test-contracts audit prove test-python

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy && .venv/bin/lint-imports \
		&& (cd web && npm run typecheck)

gas: setup
	$(PY) scripts/bench_gas.py

# Slither in its own pinned environment (its web3 pins differ from the app's). It runs on a copy of contracts/src
# in build/audit (crytic-compile runs `forge clean` where it works, and the tests are not audited), with absolute
# library paths so every OpenZeppelin file is one source unit; forge compiles through solc-js.
AUDIT := $(TOOLS)/audit
$(AUDIT)/.installed: contracts/audit/requirements.txt
	python3 -m venv $(AUDIT)
	$(AUDIT)/bin/pip install --quiet --require-hashes -r contracts/audit/requirements.txt
	@touch $@

audit: node_modules/.package-lock.json $(AUDIT)/.installed
	rm -rf build/audit && mkdir -p build/audit
	cp -r contracts/src contracts/tools contracts/foundry.toml contracts/slither.config.json build/audit/
	sed -i 's|\.\./node_modules|$(CURDIR)/node_modules|g' build/audit/foundry.toml
	cd build/audit && PATH="$(CURDIR)/node_modules/.bin:$$PATH" NODE_PATH="$(CURDIR)/node_modules" \
		$(CURDIR)/$(AUDIT)/bin/slither . --config-file slither.config.json

# Symbolic proofs (halmos, pinned in contracts/halmos/requirements.txt, its own environment) of the revenue split
# for every amount and share vector: the lemmas on `cut` and the whole split with one ancestor (the composition
# argument for n ancestors is in the test's NatSpec). The solver is contracts/halmos/bv2int.py (bit-vector
# queries proved in integer arithmetic; anything it cannot prove goes to yices). Then three false claims must
# each get a counterexample from the same solver, or the proofs count for nothing. Only the halmos sources are
# compiled, into build/halmos.
HALMOS := $(TOOLS)/halmos
$(HALMOS)/.installed: contracts/halmos/requirements.txt
	python3 -m venv $(HALMOS)
	$(HALMOS)/bin/pip install --quiet --require-hashes -r contracts/halmos/requirements.txt
	@touch $@

HALMOS_RUN = cd contracts && PATH="$(CURDIR)/node_modules/.bin:$$PATH" FOUNDRY_SRC=test/halmos \
	FOUNDRY_TEST=test/halmos FOUNDRY_OUT=../build/halmos/out FOUNDRY_CACHE_PATH=../build/halmos/cache \
	$(CURDIR)/$(HALMOS)/bin/halmos --forge-build-out ../build/halmos/out --loop 4 --solver-timeout-assertion 300s \
	--solver-command "$(CURDIR)/$(HALMOS)/bin/python $(CURDIR)/contracts/halmos/bv2int.py --timeout=280"

prove: node_modules/.package-lock.json $(HALMOS)/.installed
	mkdir -p build/halmos
	$(HALMOS_RUN) --match-contract '^RevenueSplitHalmos$$' --function 'check_(cut_|split_oneAncestor)'
	$(HALMOS_RUN) --match-contract '^(RevenueSplitHalmosCanary|SolverCanary)$$' > $(CURDIR)/build/halmos/canary.log 2>&1 || true
	@refuted=$$(grep -c 'FAIL\]' build/halmos/canary.log || true); if [ "$$refuted" != 7 ]; then \
		cat build/halmos/canary.log; \
		echo "halmos refuted $$refuted of the 7 false claims: its proofs cannot be trusted"; exit 1; fi
	@echo "halmos refuted the 7 false claims (build/halmos/canary.log)"

clean:
	rm -rf build .venv node_modules contracts/out contracts/cache web/node_modules web/dist
