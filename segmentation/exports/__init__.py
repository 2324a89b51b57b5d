"""Export a campaign's treatment group to CSV or XLSX, re-checking contactability, with an audit record.

`python -m segmentation.exports --campaign ID --format csv|xlsx --fields customer_id,email,...` reads the published
warehouse read-only (audience.py), writes the file (writers.py) and appends one line to the audit log beside the
published file (audit.py); export.py ties them together, cli.py is the command line.
"""
