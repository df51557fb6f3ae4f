"""``python -m theorylab``: the same as the ``theorylab`` command."""
import sys

from .cli import main

sys.exit(main())
