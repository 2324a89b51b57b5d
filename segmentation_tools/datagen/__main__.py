"""`python -m segmentation_tools.datagen`: see segmentation_tools/datagen/cli.py."""

import sys

from segmentation_tools.datagen.cli import main

sys.exit(main())
