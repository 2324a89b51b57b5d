"""Property-based tests of the segment service generated from its own OpenAPI document (schemathesis), over real
HTTP, with an admin token, against a copy of the definitions file: every operation, with data that fits the schema
and data that does not, and again on real segment ids so that writes reach ETags, members, exports and refreshes.
No answer may be a 500 or differ from the document (status code, content type, body schema, headers); the status
codes are counted and printed; most requests must get past authentication, and every refresh is answered 202 or 409.

The served warehouse's refreshes run the real monthly cycle on an empty raw folder, so each fails within seconds: the
test waits for them and finds the published file byte-identical (a failed refresh leaves it as it was); a successful
refresh is test_service.py's.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

from integration.harness import Warehouse
from integration.service_harness import Service, definitions_copy, published_copy, running_service

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Examples per operation: on generated ids (most of them unknown), and on each of the real ids below.
GENERATED = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 25}
ON_REAL_IDS = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 5}
REAL_IDS = ("rfm/champions", "dynamic/lapsed_travellers", "static/press_list")
MINIMUM_REQUESTS = 1000
JOB_SECONDS = 600


@pytest.fixture(scope="module")
def service(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    work = tmp_path_factory.mktemp("properties")
    published = published_copy(built, work)
    definitions = definitions_copy(built, work)
    definitions.write_text(
        definitions.read_text() + "\n  - id: press_list\n    type: static\n    customer_ids: [1, 2, 3]\n"
    )
    empty_raw = work / "raw"
    empty_raw.mkdir()
    with running_service(
        published, definitions, work, raw_dir=empty_raw, working=work / "working" / "warehouse.duckdb", roles=("admin",)
    ) as running:
        yield running


def _operations(schema: Any) -> list[Any]:
    """Every operation of the document; one the loader cannot read fails the test."""
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operations.append(result.ok())
    return operations


def _run(
    operation: Any, mode: GenerationMode, examples: int, call: Any, path_parameters: dict[str, Any] | None = None
) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, _=st.just(None))
    def run(case: Any, _: None) -> None:
        call(case)

    run()


def test_generated_requests_never_get_a_500_or_an_answer_the_document_does_not_describe(service: Service) -> None:
    published_before = hashlib.sha256(service.published.read_bytes()).hexdigest()
    schema = schemathesis.openapi.from_url(service.url + "/openapi.json")
    headers = {"Authorization": f"Bearer {service.tokens['admin']}"}
    statuses: Counter[int] = Counter()
    by_operation: dict[str, Counter[int]] = defaultdict(Counter)
    violations: list[str] = []
    job_ids: list[str] = []

    def call(case: Any) -> None:
        response = case.call(base_url=service.url, headers=headers, timeout=120)
        label = f"{case.method} {case.path}"
        statuses[response.status_code] += 1
        by_operation[label][response.status_code] += 1
        if label.endswith("/refresh") and response.status_code == 202:
            job_ids.append(response.json()["job_id"])
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception as failure:  # collected, so that one finding does not hide the others
            violations.append(f"{label} -> {response.status_code}: {str(failure)[:400]}")

    operations = _operations(schema)
    assert len(operations) == 12
    for operation in operations:
        for mode, examples in GENERATED.items():
            _run(operation, mode, examples, call)
        if "{segment_id}" in operation.path:
            for segment_id in REAL_IDS:
                for mode, examples in ON_REAL_IDS.items():
                    _run(operation, mode, examples, call, {"segment_id": segment_id})
    jobs = next(operation for operation in operations if operation.path == "/api/jobs/{job_id}")
    for job_id in job_ids[:3]:
        _run(jobs, GenerationMode.POSITIVE, 3, call, {"job_id": job_id})

    total = sum(statuses.values())
    print(f"\nschemathesis: {total} requests, {len(by_operation)} operations; codes {dict(sorted(statuses.items()))}")
    for label, counts in sorted(by_operation.items()):
        print(f"  {label}: {dict(sorted(counts.items()))}")
    assert not violations, "\n".join(violations[:20])
    assert total >= MINIMUM_REQUESTS
    assert statuses[500] == 0
    # Negative data includes a broken Authorization header (the document declares the bearer scheme): those are 401.
    assert (total - statuses[401] - statuses[403]) / total >= 0.8, "most requests get past authentication"
    refreshes: Counter[int] = Counter()
    for label, counts in by_operation.items():
        if label.endswith("/refresh"):
            refreshes.update(counts)
    answered = {code for code in refreshes if code not in (401, 404, 422)}  # past authentication, a real id
    assert answered <= {202, 409} and refreshes[202] >= 1, refreshes
    # Each accepted refresh ran the cycle on an empty raw folder: it failed, and the published file is as it was.
    with httpx.Client(base_url=service.url, headers=headers, timeout=60) as client:
        for job_id in job_ids:
            deadline = time.monotonic() + JOB_SECONDS
            while (job := client.get(f"/api/jobs/{job_id}").json())["status"] in ("queued", "running"):
                assert time.monotonic() < deadline, job
                time.sleep(1)
            assert (job["status"], job["exit_code"]) == ("failed", 1), job
            assert "published warehouse is unchanged" in job["message"] and job["log_tail"], job
    assert hashlib.sha256(service.published.read_bytes()).hexdigest() == published_before
    assert len(by_operation) == len(operations), "every operation was called"


def test_the_document_describes_every_route_of_the_api(service: Service) -> None:
    schema = schemathesis.openapi.from_url(service.url + "/openapi.json")
    routes = {(operation.method.upper(), operation.path) for operation in _operations(schema)}
    base = "/api/customer-segments"
    assert routes == {
        ("POST", base),
        ("GET", base),
        ("GET", base + "/{segment_id}"),
        ("PUT", base + "/{segment_id}"),
        ("DELETE", base + "/{segment_id}"),
        ("GET", base + "/{segment_id}/customers"),
        ("POST", base + "/{segment_id}/customers"),
        ("DELETE", base + "/{segment_id}/customers"),
        ("GET", base + "/{segment_id}/analytics"),
        ("POST", base + "/{segment_id}/refresh"),
        ("POST", base + "/{segment_id}/export"),
        ("GET", "/api/jobs/{job_id}"),
    }
    assert Path(service.published).exists()
