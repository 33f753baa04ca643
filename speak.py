#!/usr/bin/env python3
"""Turn an article into a chaptered podcast episode. Run `python speak.py --help`."""

import sys

from articlecast.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
