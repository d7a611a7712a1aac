"""``python -m neurosym``: see :mod:`neurosym.cli`."""

import sys

from .cli import main

# Guarded: worker processes started with multiprocessing's "spawn" (Dask's local cluster,
# ``plan-many``) import this module again under another name and must not run the CLI.
if __name__ == "__main__":
    sys.exit(main())
