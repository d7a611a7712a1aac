# Two entry points: `make demo` and `make test`. Each creates .venv when absent.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt

.PHONY: demo test setup clean browser serve

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt torch==2.13.0
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,notebook,web,distributed]'
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(PY) -m neurosym demo

test: setup browser
	$(PY) -m pytest -q

# Debian's chromium for the browser tests (tests/test_webapp_browser.py), when missing
browser:
	bash .ci/install-browser

serve: setup
	$(PY) -m neurosym serve

clean:
	rm -rf $(VENV)
