import sys

from plangraph.interfaces.cli import main

sys.exit(main())
