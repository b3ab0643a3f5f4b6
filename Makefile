# eLearn ASN: two commands for a new machine — `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test install lint typecheck translations db demo clean browsers

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d elearn/translations -D "messages wtforms" -f

db: install
	ELEARN_ENV=development $(FLASK) db upgrade

demo: db
	ELEARN_ENV=development $(FLASK) demo

## make run: install, migrate, load demo data and serve on http://127.0.0.1:5000
run: demo
	ELEARN_ENV=development $(FLASK) run --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite on both cores of the CI machine (pytest-xdist). Each worker has its own
# PostgreSQL database and Redis number (tests/xdist_isolation.py). --dist loadfile keeps a
# test file on one worker, so a module-scoped fixture (the cluster proof: one Redis
# database; the replica pair; the OpenID provider) starts once, never twice at the same
# time. (Not loadgroup: with pytest 9.2, xdist 3.8 ignores xdist_group, pytest-xdist#1386.)
# `make test XDIST=` runs serially, as before.
XDIST ?= -n 2 --dist loadfile

## make test: lint, type-check and run the whole suite (on two cores; XDIST= for one)
test: install lint typecheck
	$(BIN)/pytest $(XDIST) --durations=25 $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
