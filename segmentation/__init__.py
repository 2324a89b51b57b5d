"""The customer segmentation warehouse's runtime: loading the raw files, the monthly cycle, publishing, the
summary, segment and campaign definitions, exports, the lifetime-value models the dbt Python models import, and
the segment service. The generator, benchmark and engine comparison are tools, in segmentation_tools/.

Installed (`pip install .`), each entry point is also a console script (pyproject.toml, [project.scripts]):
    segmentation-warehouse   python -m segmentation.run_month   the month-end cycle on your own files
    segmentation-load        python -m segmentation.ingest      load the raw files into the target's raw tables
    segmentation-publish     python -m segmentation.publish     publish the working warehouse's marts for readers
    segmentation-summary     python -m segmentation.summary     print the segment summary of a warehouse
    segmentation-export      python -m segmentation.exports     a campaign's or a segment's audience to a file
    segmentation-preview     python -m segmentation.segments    preview a segment definition on a warehouse
    segmentation-serve       python -m segmentation.service     the segment service (HTTP API)
The dbt project these run is the checkout's when run from one, else the copy installed with the package
(segmentation/project.py).
"""
