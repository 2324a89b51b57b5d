"""`python -m segmentation.segments`: validate segments.yml and preview its segments (see preview.py)."""

import sys

from segmentation.segments.preview import main

sys.exit(main())
