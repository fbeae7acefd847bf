# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock requirements-dev.lock pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test test-browser install lint lock clean messages

run: $(STAMP)
	$(BIN)/contento setup
	$(BIN)/contento serve

# The tests sign with a key of their own; a shared database otherwise needs SECRET_KEY set.
test: export SECRET_KEY ?= contento-tests-only-not-a-secret
test: $(STAMP)
	$(BIN)/contento compiletranslations
	$(BIN)/ruff check contento bench tests conftest.py
	$(BIN)/ruff format --check contento tests conftest.py
	$(BIN)/mypy
	$(BIN)/lint-imports
	CONTENTO_FAST_PASSWORD_HASHER=1 $(BIN)/contento makemigrations --check --dry-run
	CONTENTO_FAST_PASSWORD_HASHER=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

test-browser: export SECRET_KEY ?= contento-tests-only-not-a-secret
test-browser: $(STAMP)
	$(BIN)/contento compiletranslations
	CONTENTO_FAST_PASSWORD_HASHER=1 $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# Static files and translations are ready from the install step, on every host (no database).
	env -u DATABASE_URL $(BIN)/contento collectstatic --noinput --verbosity 0
	env -u DATABASE_URL $(BIN)/contento compiletranslations --verbosity 0
	rm -f $(VENV)/.installed-*
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check contento bench tests conftest.py
	$(BIN)/ruff format --check contento tests conftest.py
	$(BIN)/mypy
	$(BIN)/lint-imports

# Re-resolve the pinned dependency set after changing pyproject.toml.
lock:
	$(PYTHON) -m pip install --quiet uv==0.13.8
	$(PYTHON) -m uv pip compile pyproject.toml -o requirements.lock --python-version 3.11 --no-header
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev -o requirements-dev.lock --python-version 3.11 --no-header

clean:
	rm -rf $(VENV) var

# Extract new interface messages into the catalogs (then translate them in every language).
messages: $(STAMP)
	cd contento && for l in es fr ru vi id; do ../$(BIN)/contento makemessages -l $$l --no-obsolete --ignore "stats/*" --ignore "demo/corpus.py" --ignore "*/tests/*"; done
