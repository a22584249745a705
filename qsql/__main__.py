"""``python -m qsql`` is the ``qsql`` command."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while qsql is still starting: nothing to clean up, no traceback
    sys.stderr.write("interrupted\n")
    sys.exit(130)

sys.exit(main())
