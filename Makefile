# `make run` and `make test` set everything up on a fresh machine.
# Debian's python3.11 if it can make a venv (faster: see scripts/pick-python.sh).
PYTHON ?= $(shell ./scripts/pick-python.sh)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# A local key to sign e-mail subscription links (sign-up is off without one; issue 16).
$(VENV)/secret-key: | $(STAMP)
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(32))' > $@

# `make run PORT=8080` for another port; it runs in the foreground: Ctrl+C stops it.
PORT ?= 8000
run: $(STAMP) $(VENV)/secret-key
	FEEDS_SECRET_KEY="$${FEEDS_SECRET_KEY:-$$(cat $(VENV)/secret-key)}" \
	$(BIN)/feeds serve --host 127.0.0.1 --port $(PORT) --archive archive

# Every linter, then every test (CI runs this).
test: $(STAMP) lint
	./scripts/test-deps.sh
	$(BIN)/pytest

# The edit loop: the linters and the quick tests (no soak, no large archives).
check: $(STAMP) lint
	$(BIN)/pytest -m 'not slow'

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info
