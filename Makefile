# Corridor: `make run` to try it, `make test` to test it, `make check` before committing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV := DEBUG=1

.PHONY: run test check system venv dev-venv bench-deps messages compilemessages lock clean

run: system venv compilemessages
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py seed_demo
	@echo "Corridor: http://127.0.0.1:8000/  (stop with Ctrl-C; the import worker stops with it)"
	$(DEV) $(BIN)/python manage.py flows_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: system dev-venv compilemessages
	$(DEV) $(BIN)/pytest $(PYTEST_ARGS)

check: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run
	bin/check-translations

system:
	@bin/system-packages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Corridor needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

# Refresh the catalogues after changing user-facing texts, then translate the new entries.
messages: dev-venv
	$(DEV) $(BIN)/python manage.py makemessages --all --no-obsolete --add-location file --ignore '.venv/*' --ignore 'var/*'

compilemessages: venv
	$(DEV) $(BIN)/python manage.py compilemessages --ignore '.venv/*' -v 0

# Re-pin the dependencies from pyproject.toml (needs pip-tools in the environment).
lock: dev-venv
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host --extra dev -o requirements-dev.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host --extra dev --extra bench -c requirements-dev.lock -o requirements-bench.lock pyproject.toml

# The benchmarks' extra yardstick (Splink, for bench/person_matching.py), pinned like the rest.
bench-deps: dev-venv
	$(BIN)/pip install --quiet --require-hashes -r requirements-bench.lock

clean:
	rm -rf $(VENV) var .pytest_cache
