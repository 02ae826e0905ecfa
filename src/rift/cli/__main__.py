"""``python -m rift.cli``: the same as the ``rift`` command."""

import sys

from rift.cli import main

sys.exit(main())
