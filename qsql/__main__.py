"""``python -m qsql`` is the ``qsql`` command."""

import sys

from .cli import main

sys.exit(main())
