"""``python -m tvauth``: the same as the ``tvauth`` script."""

import sys

from tvauth.cli import main

sys.exit(main())
