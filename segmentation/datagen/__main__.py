"""`python -m segmentation.datagen`: see segmentation/datagen/cli.py."""

import sys

from segmentation.datagen.cli import main

sys.exit(main())
