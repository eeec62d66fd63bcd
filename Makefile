# Every target sets up what it needs: `make test` and `make demo` work on a fresh
# machine with only Python 3.11.
SHELL := /bin/bash
.DEFAULT_GOAL := test

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

PRISM := tools/prism/node_modules/.bin/prism

.PHONY: venv prism redis-server generate check-generated validate-specs lint typecheck pytest test-pythons test-pythons-quick dist-check test demo bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,redis,jwt]'   # dev includes build and twine
	touch $(STAMP)

venv: $(STAMP)

# Stoplight Prism for the contract tests, pinned by tools/prism/package-lock.json.
$(PRISM): tools/prism/package.json tools/prism/package-lock.json
	cd tools/prism && npm ci --no-audit --no-fund --loglevel=error
	touch $(PRISM)

prism: $(PRISM)

# A real redis-server for the RedisStore tests, and redis-cli for the Redis Cluster
# tests' `redis-cli --cluster create` (Debian's packages).
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
		echo "installing redis-server (Debian)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
	@command -v redis-cli >/dev/null 2>&1 || { \
		echo "installing redis-tools (Debian)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools >/dev/null; }

generate: $(STAMP)
	$(BIN)/python scripts/generate.py

check-generated: $(STAMP)
	$(BIN)/python scripts/generate.py --check

validate-specs: $(STAMP)
	$(BIN)/python scripts/validate_specs.py

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts bench noxfile.py
	$(BIN)/ruff format --check src tests scripts bench noxfile.py

typecheck: $(STAMP)
	$(BIN)/mypy src/provider_tokens scripts tests bench noxfile.py

pytest: $(STAMP) $(PRISM) redis-server
	PROVIDER_TOKENS_PRISM=$(abspath $(PRISM)) $(BIN)/pytest -q

# The whole suite on every CPython 3.11+ found (pyenv's, else PATH's): nox sessions
# tests-3.11, tests-3.12, tests-3.13 (noxfile.py), one after the other; a missing 3.11
# fails, another missing version is skipped. Virtualenvs are kept in .venv/nox/.
# NOX_ARGS selects, e.g. NOX_ARGS='-s tests-3.12'; PYTEST_ARGS replaces pytest's arguments.
NOX_ARGS ?=
PYTEST_ARGS ?=
NOX := PROVIDER_TOKENS_PRISM=$(abspath $(PRISM)) $(BIN)/nox
test-pythons: $(STAMP) $(PRISM) redis-server
	$(NOX) $(NOX_ARGS) $(if $(PYTEST_ARGS),-- $(PYTEST_ARGS))

# For make test, which has already run the whole suite on 3.11 (pytest): 3.11 must be
# present, and 3.12+ run the suite without the Prism contract tests, the benchmarks'
# smoke test and the packaging tests (version-independent; about 20 s of 90 s per Python).
PYTHONS_SUBSET := -q -x --ignore=tests/contract --ignore=tests/bench --ignore=tests/dist
test-pythons-quick: $(STAMP) $(PRISM) redis-server
	$(BIN)/python noxfile.py
	$(NOX) -t newer -- $(PYTHONS_SUBSET)

# The sdist, the wheel built from it (as pip builds it), twine check on both, and a smoke
# test of the wheel in a fresh venv under a temporary directory (scripts/dist_check.py).
dist-check: $(STAMP)
	$(BIN)/python scripts/dist_check.py

# Every check, in the order a failure is cheapest to find; test-pythons-quick runs the
# suite on 3.12+ after 3.11's full run.
test: check-generated validate-specs lint typecheck pytest dist-check test-pythons-quick

demo: $(STAMP)
	$(BIN)/provider-tokens demo

# Benchmarks against raw httpx, Authlib and httpx-auth: a Markdown table on stdout,
# every sample in bench/results/latest.json.
bench: $(STAMP) redis-server
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache tools/prism/node_modules
