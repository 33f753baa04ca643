"""The ``speak`` command and ``python -m articlecast``: SIGTERM and Ctrl-C become stop requests first of all, before
the rest of the tool is imported, so that a stop at any instant after the interpreter starts is answered; then the
command line runs (:func:`~articlecast.cli.main`)."""

import sys

from articlecast import stops

stops.install()

from articlecast.cli import main  # noqa: E402 - after the handlers: a stop during these imports is answered too

if __name__ == "__main__":
    sys.exit(main())
