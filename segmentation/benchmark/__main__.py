"""`python -m segmentation.benchmark`: see segmentation/benchmark/cli.py."""

import sys

from segmentation.benchmark.cli import main

sys.exit(main())
