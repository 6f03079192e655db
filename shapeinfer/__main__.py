"""``python -m shapeinfer`` is the ``shapeinfer`` command."""
import sys

from .cli import main

sys.exit(main())
