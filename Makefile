# Every target sets up what it needs: `make test` and `make demo` work on a fresh
# machine with only Python 3.11.
SHELL := /bin/bash
.DEFAULT_GOAL := test

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

PRISM := tools/prism/node_modules/.bin/prism

.PHONY: venv prism redis-server generate check-generated validate-specs lint typecheck pytest dist-check test demo bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,redis]'   # dev includes build and twine
	touch $(STAMP)

venv: $(STAMP)

# Stoplight Prism for the contract tests, pinned by tools/prism/package-lock.json.
$(PRISM): tools/prism/package.json tools/prism/package-lock.json
	cd tools/prism && npm ci --no-audit --no-fund --loglevel=error
	touch $(PRISM)

prism: $(PRISM)

# A real redis-server for the RedisStore tests (Debian's package).
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
		echo "installing redis-server (Debian)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

generate: $(STAMP)
	$(BIN)/python scripts/generate.py

check-generated: $(STAMP)
	$(BIN)/python scripts/generate.py --check

validate-specs: $(STAMP)
	$(BIN)/python scripts/validate_specs.py

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench

typecheck: $(STAMP)
	$(BIN)/mypy src/provider_tokens scripts tests bench

pytest: $(STAMP) $(PRISM) redis-server
	PROVIDER_TOKENS_PRISM=$(abspath $(PRISM)) $(BIN)/pytest -q

# The sdist, the wheel built from it (as pip builds it), twine check on both, and a smoke
# test of the wheel in a fresh venv under a temporary directory (scripts/dist_check.py).
dist-check: $(STAMP)
	$(BIN)/python scripts/dist_check.py

test: check-generated validate-specs lint typecheck pytest dist-check

demo: $(STAMP)
	$(BIN)/provider-tokens demo

# Benchmarks against raw httpx, Authlib and httpx-auth: a Markdown table on stdout,
# every sample in bench/results/latest.json.
bench: $(STAMP) redis-server
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache tools/prism/node_modules
