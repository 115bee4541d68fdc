import sys

from riskprofile.cli import main

sys.exit(main())
