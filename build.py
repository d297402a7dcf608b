"""Build the federation's sites: `python build.py [command]` (see `python build.py --help`)."""

import sys

from fedsite.cli import main

if __name__ == "__main__":
    sys.exit(main())
