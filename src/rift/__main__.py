"""``python -m rift``: the same as the ``rift`` command."""

import sys

from rift.cli import main

if __name__ == "__main__":
    sys.exit(main())
