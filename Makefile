# Two commands on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CONFIG ?= configs/default.yaml
# engine: spark (and its tests) need a Java 17+ runtime; `make SKIP_JAVA=1 ...` skips the check
JAVA_PACKAGE ?= openjdk-17-jre-headless
SKIP_JAVA ?=
# the browser tests drive Debian's chromium with Playwright (never a downloaded browser); `make SKIP_BROWSER=1 test`
# skips them instead of failing when chromium is missing
CHROMIUM ?= /usr/bin/chromium
SKIP_BROWSER ?=
# the tests run in this many processes (pytest-xdist; each test file stays in one process, so its fixtures are
# built once); `make PYTEST_WORKERS=0 test` runs them in one process
PYTEST_WORKERS ?= 2

.PHONY: report test lint install clean java chromium bench background-tokens

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Java for Spark: nothing to do when java is on PATH (or in JAVA_HOME); as root on Debian/Ubuntu it is installed
# with apt-get; otherwise stop with what to run.
java:
	@if [ -n "$(SKIP_JAVA)" ]; then \
		echo "SKIP_JAVA set: not checking for Java (engine: spark and the spark tests need Java 17+)"; \
	elif command -v java >/dev/null 2>&1 || { [ -n "$$JAVA_HOME" ] && [ -x "$$JAVA_HOME/bin/java" ]; }; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "java not found: installing $(JAVA_PACKAGE) with apt-get (engine: spark and its tests need Java 17+)"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(JAVA_PACKAGE); \
	else \
		echo "error: java not found on PATH or in JAVA_HOME. engine: spark and its tests need Java 17+." >&2; \
		echo "  install it as root, e.g. 'sudo apt-get install -y --no-install-recommends $(JAVA_PACKAGE)'," >&2; \
		echo "  or set JAVA_HOME to a Java 17+ installation, then run make again" >&2; \
		echo "  (or 'make SKIP_JAVA=1 ...' to go on without Java; engine: local does not need it)" >&2; \
		exit 1; \
	fi

# Chromium for the browser tests of the report: nothing to do when $(CHROMIUM) exists; as root on Debian/Ubuntu it
# is installed with apt-get; otherwise stop with what to run.
chromium:
	@if [ -n "$(SKIP_BROWSER)" ]; then \
		echo "SKIP_BROWSER set: the browser tests of the report will be skipped"; \
	elif [ -x "$(CHROMIUM)" ]; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "$(CHROMIUM) not found: installing chromium with apt-get (the browser tests of the report need it)"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	else \
		echo "error: $(CHROMIUM) not found. The browser tests of the report need Debian's chromium." >&2; \
		echo "  install it as root, e.g. 'sudo apt-get install -y --no-install-recommends chromium'," >&2; \
		echo "  or point CHROMIUM=/path/to/chromium at another build (or 'make SKIP_BROWSER=1 test' to skip them)" >&2; \
		exit 1; \
	fi

# `java` is order-only: it is checked on every run (cheap) but never forces a reinstall of the venv
$(STAMP): pyproject.toml | $(BIN)/python java
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(STAMP)

report: $(STAMP)
	$(BIN)/topics run $(CONFIG)

# The code's contracts: ruff (style, bugs, docstrings), mypy (types) and import-linter (which package may import which)
lint: $(STAMP)
	$(BIN)/ruff check topics preprocessing reports tests bench setup.py
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint | chromium
	REQUIRE_BROWSER=$(if $(SKIP_BROWSER),0,1) TOPICS_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest \
		$(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadfile)

# The pipeline benchmark (bench/README.md): needs ../shared/data/ml-abstracts; BENCH_ARGS="--quick" for a smoke run
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf out .pytest_cache .hypothesis

# The prepared tokens of the shipped background corpus (topics/themes/background.py): rebuild after a change to the
# tokenizer (preprocessing/nlp.py) or to the default preprocessing settings; a test fails while they are stale
background-tokens: $(STAMP)
	$(BIN)/python -m topics.pipeline.prepare_background
