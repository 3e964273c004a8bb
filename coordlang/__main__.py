"""``python -m coordlang``: the ``coord`` command line."""

import sys

from coordlang.cli import main

sys.exit(main())
