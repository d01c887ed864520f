import sys

from replicate.cli import main

sys.exit(main())
