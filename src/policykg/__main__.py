"""`python -m policykg` runs the command line."""

import sys

from policykg.cli.main import main

sys.exit(main())
