"""`python -m showroom`, and the entry point of the single-file binary."""

import sys

from showroom.cli import main

if __name__ == "__main__":
    sys.exit(main())
