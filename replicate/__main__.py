import sys

from replicate.core.cli import main

sys.exit(main())
