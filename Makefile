# Every target creates the virtual environment it needs: a fresh clone runs
# `make run` or `make test` and nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXAMPLES := $(wildcard examples/*.json examples/*.yaml)
AS_OF  ?= 2025-11-28
EMPLOYEES ?= 2000
# the replay at issue 12's size (in 2 processes), and one process against two
# on the first COMPARE_EMPLOYEES of them: bench/run.py says how long it takes
REPLAY_EMPLOYEES ?= 100000
COMPARE_EMPLOYEES ?= 20000
# the consumer-group replay: at 5,000 a member's start and the group's join
# were most of its time
GROUP_EMPLOYEES ?= 20000

.PHONY: run test lint bench load clean postgres-binaries browser-binaries vendor-assets

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/attendance import $(EXAMPLES)
	$(BIN)/attendance worklist --as-of $(AS_OF)

test: lint postgres-binaries browser-binaries
	$(BIN)/pytest -q

# ruff (pyflakes, pycodestyle, bugbear, pyupgrade) and mypy, as pyproject.toml configures them
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The tests start their own PostgreSQL server and need its binaries.
postgres-binaries:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
	  { echo "installing PostgreSQL server binaries"; apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# The browser tests drive Debian's headless Chromium through its chromedriver.
browser-binaries:
	@{ test -x /usr/bin/chromium && test -x /usr/bin/chromedriver; } || \
	  { echo "installing Chromium and chromedriver"; apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

# Refresh the vendored Swagger UI, ReDoc, htmx, Chart.js and axe-core from npm
# (pinned in the script); the product serves them itself, with no CDN.
vendor-assets:
	sh tools/vendor-assets.sh

bench: $(STAMP)
	$(BIN)/python -m bench.run --employees $(EMPLOYEES) --replay-employees $(REPLAY_EMPLOYEES) \
	  --compare-employees $(COMPARE_EMPLOYEES) --output BENCHMARKS.md
	$(BIN)/python -m bench.feeds --output BENCHMARKS.md
	$(BIN)/python -m bench.replay_group --employees $(GROUP_EMPLOYEES) --output BENCHMARKS.md

load: $(STAMP)
	$(BIN)/python -m bench.load --output BENCHMARKS.md

clean:
	rm -rf $(VENV) attendance.db *.egg-info
