"""``python -m sotfit``: the command line."""

import sys

from .cli import main

sys.exit(main())
