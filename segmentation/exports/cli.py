"""`python -m segmentation.exports --campaign ID --format csv|xlsx --fields customer_id,email,...
[--database PUBLISHED_FILE] [--out DIR]`: write a campaign's contactable treatment members, in audience_rank order,
to a file and append the audit record; ends with one summary line. `--segment ID --channel email|sms|push|phone`
instead of `--campaign` writes a segment's current members contactable on that channel, by customer_id, through the
same code. Exit 2 when the request is refused (unknown campaign, segment, channel, format or field; no audience),
1 when the export fails."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from segmentation.exports.errors import ExportFailed, ExportRefused
from segmentation.exports.export import ExportResult, export_audience, export_segment, format_left_out
from segmentation.exports.fields import CHANNELS, allowed_fields_text, parse_fields
from segmentation.exports.progress import Progress
from segmentation.exports.writers import FORMATS
from segmentation.project import default_published_database

REFUSED = 2
FAILED = 1


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m segmentation.exports",
        description="Write a campaign's treatment group, or a segment's members, re-checked for contactability, to "
        "CSV or XLSX.",
    )
    chosen = parser.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--campaign", help="the campaign id (the campaigns table's campaign_id)")
    chosen.add_argument("--segment", help="a segment id of the catalog, e.g. rfm/champions (needs --channel)")
    parser.add_argument(
        "--channel", default=None, help=f"with --segment: the channel to check consent for ({', '.join(CHANNELS)})"
    )
    parser.add_argument("--format", required=True, choices=FORMATS, dest="file_format", help="the file format")
    parser.add_argument(
        "--fields", required=True, help=f"comma-separated, in the file's column order; allowed: {allowed_fields_text()}"
    )
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        help=f"the published warehouse, opened read-only (default: {default_published_database()})",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="the folder to write to (default: exports/ beside the published file)"
    )
    return parser


def format_result(result: ExportResult) -> str:
    record, audience = result.record, result.audience
    left_out = (
        f"; left out {record.left_out_count:,} not contactable on {record.channel}: "
        f"{format_left_out(audience.left_out)}"
        if record.left_out_count
        else ""
    )
    what = (
        f"treatment members of {record.campaign_id}"
        if record.campaign_id is not None
        else f"members of segment {record.segment_id} contactable on {record.channel}"
    )
    return (
        f"exported {record.row_count:,} of {audience.treatment_size:,} {what} "
        f"from {record.database} to {record.file_path} in {result.seconds:.1f} s{left_out}; "
        f"export {record.export_id} recorded in {result.audit_log}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    database = args.database or default_published_database()
    try:
        fields = parse_fields(args.fields)
        if args.segment is not None:
            if not args.channel:
                raise ExportRefused(f"--segment needs --channel (one of {', '.join(CHANNELS)})")
            result = export_segment(
                database, args.segment, args.channel, fields, args.file_format, args.out, progress=Progress
            )
        else:
            if args.channel:
                raise ExportRefused("--channel is for --segment: a campaign is exported on its own channel")
            result = export_audience(database, args.campaign, fields, args.file_format, args.out, progress=Progress)
    except ExportRefused as error:
        print(f"export refused: {error}", file=sys.stderr)
        return REFUSED
    except ExportFailed as error:
        print(f"export failed, nothing written: {error}", file=sys.stderr)
        return FAILED
    print(format_result(result))
    return 0
