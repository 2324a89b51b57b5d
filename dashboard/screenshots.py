"""The pictures of docs/dashboard.md: every page of the app on a published warehouse, in headless Chromium.

    python -m dashboard.screenshots --database data/demo/published/warehouse.duckdb [--out docs/images] [PAGE ...]

Each page is saved as <out>/dashboard-<page>.png, its top part at most --height pixels, scaled to --width and
reduced to a 256-colour palette, so the committed files stay small.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import duckdb
from PIL import Image

from dashboard import browser
from dashboard.pages import PAGES

CHARTS = {"overview": 2, "migrations": 2, "segments": 1, "cohorts": 2, "value": 2}


def expected_charts(database: Path) -> dict[str, int]:
    """Charts per page; the campaign and journey pages draw theirs only where their tables are built."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
    campaigns = {"campaigns", "campaign_performance", "campaign_audiences"} <= tables
    journeys = ("customer_journey_stages" in tables) + ("segment_daily_performance" in tables)
    return {**CHARTS, "campaigns": 3 if campaigns else 0, "journeys": journeys}


def shrink(source: Path, target: Path, width: int, height: int) -> None:
    with Image.open(source) as image:
        cropped = image.crop((0, 0, image.width, min(image.height, height)))
        scaled = cropped.resize((width, round(cropped.height * width / cropped.width)), Image.Resampling.LANCZOS)
        scaled.convert("RGB").quantize(colors=256).save(target, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("pages", nargs="*", help="url paths of the pages (default: all)")
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--height", type=int, default=1300)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    charts = expected_charts(args.database)
    with (
        tempfile.TemporaryDirectory() as work,
        browser.running_app(args.database) as url,
        browser.chromium() as chromium,
    ):
        chromium.open(url, height=args.height)
        for index, (_, title, page) in enumerate(PAGES):
            visit = chromium.visit(title, charts.get(page, 0), Path(work) / f"{page}.png", None if index == 0 else page)
            if args.pages and page not in args.pages:
                continue
            target = args.out / f"dashboard-{page}.png"
            shrink(visit.screenshot, target, args.width, args.height)
            print(f"{target}: {target.stat().st_size / 1000:.0f} kB, page drawn in {visit.seconds:.2f} s")
            for error in visit.console_errors:
                print(f"  {error}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
