"""`python -m segmentation.exports`: write a campaign's audience to CSV or XLSX (see cli.py)."""

import sys

from segmentation.exports.cli import main

sys.exit(main())
