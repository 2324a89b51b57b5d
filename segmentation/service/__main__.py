"""`python -m segmentation.service`: serve the segmentation API (see cli.py)."""

import sys

from segmentation.service.cli import main

sys.exit(main())
