"""The dbt build timings, reported once at the end of the run, also when the suite runs in several
worker processes (pytest-xdist, as `make test` runs it): each worker hands its timings to the
controller when it finishes."""

from __future__ import annotations

from typing import Any

import pytest
from integration.harness import dbt_timings, record_timings, report_timings


def pytest_sessionfinish(session: pytest.Session) -> None:
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:
        worker_output["dbt_timings"] = dbt_timings()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    record_timings(getattr(node, "workeroutput", {}).get("dbt_timings", []))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    report_timings(terminalreporter)
