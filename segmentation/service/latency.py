"""Measure the service's request latency: `python -m segmentation.service.latency --token TOKEN [--url URL]`.

Sends REQUESTS member-page requests (a page of 100, at pages spread over each segment) and REQUESTS analytics
requests, one at a time, over the given segments, against a running service, and prints the median and the 95th
percentile of each kind (docs/service.md quotes the figures it printed on the demo warehouse). Standard library only,
so it runs with `make install` alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
from collections.abc import Sequence

DEFAULT_SEGMENTS = ("behavioral/stable_mid_spenders", "rfm/champions", "value/vip", "dynamic/lapsed_travellers")
PAGE_SIZE = 100


def _get(url: str, token: str) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        body: dict[str, object] = json.loads(response.read())
        return body


def _timed(url: str, token: str) -> float:
    started = time.perf_counter()
    _get(url, token)
    return time.perf_counter() - started


def measure(base: str, token: str, segments: Sequence[str], requests: int) -> dict[str, list[float]]:
    totals = {}
    for segment_id in segments:
        first = _get(f"{base}/api/customer-segments/{segment_id}/customers?limit=1", token)
        totals[segment_id] = int(str(first["total"]))
    pages: list[float] = []
    analytics: list[float] = []
    for number in range(requests):
        segment_id = segments[number % len(segments)]
        last_page = max(1, -(-totals[segment_id] // PAGE_SIZE))
        page = 1 + (number * 7919) % last_page
        pages.append(
            _timed(f"{base}/api/customer-segments/{segment_id}/customers?page={page}&limit={PAGE_SIZE}", token)
        )
        analytics.append(_timed(f"{base}/api/customer-segments/{segment_id}/analytics", token))
    return {"member pages": pages, "analytics": analytics}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m segmentation.service.latency", description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running service")
    parser.add_argument("--token", required=True, help="a viewer token (make token ROLE=viewer NAME=latency)")
    parser.add_argument("--segments", default=",".join(DEFAULT_SEGMENTS), help="comma-separated segment ids")
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind (default 200)")
    args = parser.parse_args(argv)
    segments = [segment.strip() for segment in args.segments.split(",") if segment.strip()]
    results = measure(args.url.rstrip("/"), args.token, segments, args.requests)
    for kind, seconds in results.items():
        p95 = statistics.quantiles(seconds, n=20)[-1]
        print(
            f"{kind}: {len(seconds)} requests over {len(segments)} segments: median "
            f"{statistics.median(seconds) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
