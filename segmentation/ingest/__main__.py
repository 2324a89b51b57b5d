import sys

from segmentation.ingest.cli import main

sys.exit(main())
