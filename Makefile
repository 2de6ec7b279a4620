# The two commands a newcomer needs:  make run  and  make test
# Both create the virtual environment in .venv from requirements.txt on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run chat test lint check bench browser

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

run: $(VENV)/.installed  ## serve the web app at http://127.0.0.1:8000
	$(PY) -m faqbot serve

chat: $(VENV)/.installed  ## talk to the assistant in the terminal
	$(PY) -m faqbot chat

test: $(VENV)/.installed browser  ## run lint, the knowledge check and every test
	$(PY) -m ruff check faqbot tests bench
	$(PY) -m faqbot check
	$(PY) -m pytest

check: $(VENV)/.installed  ## validate the knowledge base
	$(PY) -m faqbot check

bench: $(VENV)/.installed  ## print matching and load figures
	$(PY) bench/matching.py
	$(PY) bench/load.py

# Browser tests drive Debian's Chromium; install it when missing and we may (root, as in CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Browser tests need Chromium: sudo apt-get install chromium (they are skipped without it)"; fi; }
