# Every target sets itself up: .venv is (re)built from pyproject.toml when missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint binary clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "showroom needs Python 3.11 or newer (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/showroom serve --config config.toml

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	@failed=""; for b in $$(ls bench/*.py | grep -v __init__); do \
		echo "== $$b"; $(BIN)/python -m bench.$$(basename $$b .py) || failed="$$failed $$b"; done; \
		if [ -n "$$failed" ]; then echo "targets missed:$$failed"; exit 1; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# One self-contained executable, dist/showroom, with the templates, styles, migrations and
# vocabulary inside (PyInstaller one-file).
binary: $(STAMP)
	$(BIN)/pyinstaller --onefile --name showroom --noconfirm --log-level WARN \
		--distpath dist --workpath build/pyinstaller --specpath build \
		--collect-data domain --collect-data storage --collect-data web --collect-data gateways \
		--copy-metadata showroom --collect-submodules hypercorn --collect-submodules trio --collect-submodules trio_parallel \
		--hidden-import showroom.app --hidden-import showroom.demo \
		showroom/__main__.py
	@echo "built dist/showroom"

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
