# leadrouter: `make demo` runs the app, `make test` runs the suite.
# Both start from a fresh clone with only Python 3.11 and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
CHROMIUM := /usr/bin/chromium

.PHONY: install demo test lint format check-deploy bench lock clean

install: $(STAMP)

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

## Web server and worker on http://127.0.0.1:8000, demo data loaded, logins printed; Ctrl-C stops both.
## Without ANTHROPIC_API_KEY the tiers answer from the simulated Messages API; DEMO_MODEL=local: the local classifier.
## DEBUG=1 is for the set-up step; the web server and worker run production settings (the
## product's error pages, static files from WhiteNoise): `manage.py demo --debug` for Django's.
demo: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py demo $(if $(filter local,$(DEMO_MODEL)),--local)

## The whole suite against PostgreSQL (embedded when DATABASE_URL is unset).
test: install $(CHROMIUM)
	$(BIN)/pytest $(PYTEST_ARGS)

## Debian's Chromium for the browser tests (Playwright drives it; its own download is not used).
$(CHROMIUM):
	if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Django's deployment checklist under production-like settings.
check-deploy: install
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=leadrouter.example.com \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

## Speed, memory and cost figures in one table (README, "Benchmark"); BENCH_ARGS=--quick for CI's run.
bench: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py benchmark $(BENCH_ARGS)

## Regenerate requirements.lock from pyproject.toml (needs the registry).
lock:
	test -x .tools/bin/uv || ($(PYTHON) -m venv .tools && .tools/bin/pip install --quiet uv)
	.tools/bin/uv pip compile pyproject.toml --group dev --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --no-header -o requirements.lock

clean:
	rm -rf $(VENV) .tools var .pytest_cache .ruff_cache
