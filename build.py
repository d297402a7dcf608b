"""Build the federation's sites: `python build.py [command]` (see `python build.py --help`)."""

import logging
import os
import sys

from fedsite.cli.main import main

if __name__ == "__main__":
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is written and closed by now; the system frees the build's data at once, where the
    # interpreter would free it object by object (0.3 s after a build of 1,023 sites).
    os._exit(code)
