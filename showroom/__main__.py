"""`python -m showroom`, and the entry point of the single-file binary."""

import multiprocessing
import sys

from showroom.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the binary is also what photo worker processes run
    sys.exit(main())
