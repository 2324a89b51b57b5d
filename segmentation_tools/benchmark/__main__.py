"""`python -m segmentation_tools.benchmark`: see segmentation_tools/benchmark/cli.py."""

import sys

from segmentation_tools.benchmark.cli import main

sys.exit(main())
