"""``python -m neurosym``: see :mod:`neurosym.cli`."""

import sys

from .cli import main

sys.exit(main())
