"""The segment service over real HTTP (docs/rules/service.md, docs/service.md): `python -m segmentation.service` in a
subprocess on a published copy of the sample warehouse and a copy of segments.yml, tokens from the command line.

Tokens and roles; the listing's filters, paging and sorting; ids as whole paths; member pages equal to the catalog's
segment_members with only the allowed fields; the analytics route equal to the mart's row; writes with ETags, the
build's validation and the audit log; static members kept inline; hostile and malformed input answered with a 4xx
naming the field; two concurrent writers and a hand edit losing nothing; the audited export; and, last, a refresh
through the monthly cycle while readers load the service (no failed request, every answer from one publication).
A failed refresh, which leaves the published warehouse as it was, is test_service_properties.py's.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from integration.harness import PROJECT_DIR, Warehouse
from integration.service_harness import Service, definitions_copy, published_copy, running_service
from segmentation.segments.definitions import load_segments
from segmentation.segments.rules import CustomerIds
from segmentation.service import audit
from segmentation.service.queries import MEMBER_ATTRIBUTES

BASE = "/api/customer-segments"
MEMBER_FIELDS = {"customer_id", "joined_at", "source", *MEMBER_ATTRIBUTES}
PERSONAL = {"first_name", "last_name", "email", "phone", "date_of_birth", "city", "state", "postal_code", "country"}
REFRESH_SECONDS = 900
READERS = 4
# Readers pause between reads so that the build they wait for keeps most of a 2-core machine.
READ_PAUSE_SECONDS = 0.05


@pytest.fixture(scope="module")
def service(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    work = tmp_path_factory.mktemp("service")
    published = published_copy(built, work)
    definitions = definitions_copy(built, work)
    working = built.copy(work / "working").database
    with running_service(published, definitions, work, raw_dir=built.raw_dir, working=working) as running:
        yield running


def sql(path: Path, text: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """The published file, read as the service reads it (a fresh attach, never DuckDB's per-path instance)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{path}' as published (read_only)")
        con.execute("use published")
        return con.execute(text, params or []).fetchall()


def etag(client: httpx.Client, segment_id: str) -> str:
    response = client.get(f"{BASE}/{segment_id}")
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


def create(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(BASE, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def all_ids(client: httpx.Client, **params: Any) -> list[str]:
    ids: list[str] = []
    page = 1
    while True:
        body = client.get(BASE, params={**params, "page": page, "limit": 7}).json()
        ids += [item["id"] for item in body["items"]]
        if page * 7 >= body["total"]:
            return ids
        page += 1


def audit_records(service: Service) -> list[dict[str, Any]]:
    return [dict(record) for record in audit.read(service.published.parent / "service" / "audit.jsonl")]


# tokens and roles


def test_no_token_or_a_bad_one_is_401_and_says_nothing_about_tokens(service: Service) -> None:
    answers = [
        httpx.get(service.url + BASE),
        httpx.get(service.url + BASE, headers={"Authorization": "Bearer nonsense"}),
        httpx.get(service.url + BASE, headers={"Authorization": "Bearer sst_00000000_guess"}),
        httpx.get(service.url + BASE, headers={"Authorization": service.tokens["admin"]}),  # no scheme
        httpx.get(service.url + BASE, headers={"Authorization": "Bearer " + service.tokens["admin"] + "x"}),
    ]
    assert [answer.status_code for answer in answers] == [401] * 5
    assert len({answer.text for answer in answers}) == 1
    assert answers[0].headers["WWW-Authenticate"] == "Bearer"


def test_each_role_has_exactly_its_permissions(service: Service) -> None:
    body = {"segment_name": "Role check", "segment_type": "dynamic", "criteria": {"min_frequency": 1}}
    with service.client("viewer") as viewer, service.client("editor") as editor, service.client("admin") as admin:
        assert viewer.get(BASE).status_code == 200
        assert viewer.get(f"{BASE}/rfm/champions/customers").status_code == 200
        assert viewer.post(BASE, json=body).status_code == 403
        assert viewer.post(f"{BASE}/rfm/champions/refresh").status_code == 403
        created = create(editor, body)
        tag = etag(editor, created["id"])
        assert (
            editor.put(f"{BASE}/{created['id']}", json={"description": "e"}, headers={"If-Match": tag}).status_code
            == 200
        )
        assert editor.request("DELETE", f"{BASE}/{created['id']}", headers={"If-Match": "*"}).status_code == 403
        export = {"channel": "email", "fields": ["customer_id"]}
        assert editor.post(f"{BASE}/rfm/champions/export", json=export).status_code == 403
        forbidden = viewer.post(f"{BASE}/rfm/champions/export", json=export)
        assert forbidden.status_code == 403 and "viewer" in forbidden.json()["detail"]
        assert (
            admin.request("DELETE", f"{BASE}/{created['id']}", headers={"If-Match": etag(admin, created["id"])}).json()[
                "status"
            ]
            == "archived"
        )


def test_tokens_are_stored_hashed_listed_and_revoked_on_the_command_line(service: Service) -> None:
    def tokens(*arguments: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "segmentation.service.tokens", "--warehouse", str(service.published)]
        return subprocess.run([*command, *arguments], cwd=PROJECT_DIR, capture_output=True, text=True)

    issued = tokens("issue", "--role", "viewer", "--name", "short-lived")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    token_id = token.split("_")[1]
    stored = (service.published.parent / "service" / "tokens.json").read_text()
    assert token not in stored and hashlib.sha256(token.encode()).hexdigest() in stored
    for secret in service.tokens.values():
        assert secret not in stored
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(service.url + BASE, headers=headers).status_code == 200
    assert tokens("revoke", token_id).returncode == 0
    assert httpx.get(service.url + BASE, headers=headers).status_code == 401
    listed = tokens("list").stdout
    assert re.search(rf"^{token_id}\s+viewer\s+short-lived\s+created \S+\s+revoked \S+$", listed, re.M), listed
    assert token not in listed
    assert tokens("issue", "--role", "root", "--name", "x").returncode == 2
    actions = [(record["action"], (record["after"] or {}).get("token_id")) for record in audit_records(service)]
    assert ("token.issue", token_id) in actions and ("token.revoke", token_id) in actions


# reading


def test_the_list_filters_pages_and_sorts(service: Service) -> None:
    with service.client("viewer") as client:
        catalog = {row[0]: row for row in sql(service.published, "select segment_id, segment_type from segments")}
        file_ids = {segment.segment_id for segment in load_segments(service.definitions)}
        everything = all_ids(client)
        assert len(everything) == len(set(everything))
        assert set(everything) == {i for i, row in catalog.items() if row[1] not in ("static", "dynamic")} | file_ids
        rfm = client.get(BASE, params={"segment_type": "rfm", "limit": 500}).json()
        assert rfm["total"] == 10 and {item["segment_type"] for item in rfm["items"]} == {"rfm"}
        assert all(item["built_in"] for item in rfm["items"])
        found = client.get(BASE, params={"search": "TRAVEL", "limit": 500}).json()["items"]
        assert "behavioral/high_value_travelers" in {item["id"] for item in found}
        assert all("travel" in json.dumps([i["id"], i["segment_name"], i["description"]]).lower() for i in found)
        counts = [
            item["customer_count"]
            for item in client.get(
                BASE, params={"sort_by": "customer_count", "sort_order": "desc", "limit": 500}
            ).json()["items"]
        ]
        known = [count for count in counts if count is not None]
        assert known == sorted(known, reverse=True) and counts[: len(known)] == known
        names = [
            i["segment_name"]
            for i in client.get(BASE, params={"sort_by": "segment_name", "limit": 500}).json()["items"]
        ]
        assert names == sorted(names, key=str.casefold)
        assert {i["status"] for i in client.get(BASE, params={"status": "active", "limit": 500}).json()["items"]} == {
            "active"
        }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 501}, "limit"),
        ({"limit": 10**9}, "limit"),
        ({"limit": 0}, "limit"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"sort_by": "password"}, "sort_by"),
        ({"sort_order": "sideways"}, "sort_order"),
        ({"status": "deleted"}, "status"),
        ({"segment_type": "x' or '1'='1"}, "segment_type"),
        ({"search": "s" * 201}, "search"),
    ],
)
def test_bad_list_parameters_are_422_naming_the_field(service: Service, params: dict[str, Any], field: str) -> None:
    with service.client("viewer") as client:
        response = client.get(BASE, params=params)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field and response.json()["detail"].startswith(field)


def test_ids_are_whole_paths_and_unknown_ones_are_404(service: Service) -> None:
    with service.client("viewer") as client:
        plain = client.get(f"{BASE}/rfm/champions")
        encoded = client.get(f"{BASE}/rfm%2Fchampions")
        assert plain.status_code == encoded.status_code == 200 and plain.json() == encoded.json()
        assert plain.json()["id"] == "rfm/champions" and plain.json()["built_in"] is True
        assert client.get(f"{BASE}/rfm%2Fchampions/customers").json()["segment_id"] == "rfm/champions"
        for unknown in ["rfm/champs", "..%2F..%2Fetc%2Fpasswd", "x'%20or%20'1'='1", "1;%20drop%20table%20customers"]:
            for suffix in ("", "/customers", "/analytics"):
                response = client.get(f"{BASE}/{unknown}{suffix}")
                assert response.status_code == 404, (unknown, suffix, response.text)
        assert client.get(f"{BASE}/{'x' * 250}").status_code == 422
    assert sql(service.published, "select count(*) from customer_segments")[0][0] > 0


@pytest.mark.parametrize(
    "segment_id",
    ["rfm/champions", "behavioral/declining", "journey/advocacy", "demographic/age_35_44", "dynamic/lapsed_travellers"],
)
def test_member_pages_are_the_catalogs_members_with_only_the_allowed_fields(service: Service, segment_id: str) -> None:
    want = {
        row[0]: row[1:]
        for row in sql(
            service.published,
            "select customer_id, joined_at, source from segment_members where segment_id = ?",
            [segment_id],
        )
    }
    attributes = {
        row[0]: row[1:]
        for row in sql(service.published, f"select customer_id, {', '.join(MEMBER_ATTRIBUTES)} from customer_segments")
    }
    got: list[dict[str, Any]] = []
    with service.client("viewer") as client:
        page = 1
        while True:
            body = client.get(f"{BASE}/{segment_id}/customers", params={"page": page, "limit": 37}).json()
            assert body["total"] == len(want) and body["limit"] == 37
            got += body["items"]
            if not body["items"]:
                break
            page += 1
    assert [item["customer_id"] for item in got] == sorted(want), "every member once, by customer_id"
    for item in got:
        assert set(item) == MEMBER_FIELDS and not set(item) & PERSONAL
        assert (item["joined_at"], item["source"]) == (
            want[item["customer_id"]][0].isoformat(),
            want[item["customer_id"]][1],
        )
        expected = attributes[item["customer_id"]]
        for name, value in zip(MEMBER_ATTRIBUTES, expected, strict=True):
            shown = item[name]
            assert (Decimal(shown) if isinstance(value, Decimal) and shown is not None else shown) == value, name


def test_the_analytics_route_equals_the_marts_row(service: Service) -> None:
    columns = [row[0] for row in sql(service.published, "select column_name from (describe segment_analytics)")]
    with service.client("viewer") as client:
        for segment_id in ("rfm/champions", "static/vip_list", "journey/awareness", "value/vip"):
            rows = [
                dict(zip(columns, row, strict=True))
                for row in sql(
                    service.published,
                    "select * from segment_analytics where segment_id = ? order by as_of_date",
                    [segment_id],
                )
            ]
            for row, params in ((rows[-1], {}), (rows[3], {"as_of_date": rows[3]["as_of_date"].isoformat()})):
                answer = client.get(f"{BASE}/{segment_id}/analytics", params=params).json()
                for column, value in row.items():
                    shown = answer[column]
                    if isinstance(value, Decimal) and shown is not None:
                        shown = Decimal(str(shown))
                    if column == "as_of_date":
                        shown = type(value).fromisoformat(shown)
                    assert shown == value, (segment_id, column, shown, value)
                assert [(p["as_of_date"], p["total_customers"]) for p in answer["customer_growth_trend"]] == [
                    (r["as_of_date"].isoformat(), r["total_customers"]) for r in rows
                ]
                assert [Decimal(p["total_revenue"]) for p in answer["revenue_trend"]] == [
                    r["total_revenue"] for r in rows
                ]
        missing = client.get(f"{BASE}/rfm/champions/analytics", params={"as_of_date": "1999-12-31"})
        assert missing.status_code == 404 and missing.json()["field"] == "as_of_date"


# writing


def test_create_update_and_archive_through_the_definitions_file(service: Service) -> None:
    with service.client("editor") as editor, service.client("admin") as admin:
        created = editor.post(
            BASE,
            json={
                "segment_name": "Frequent Californians",
                "description": "Written through the service",
                "segment_type": "dynamic",
                "criteria": {"location": {"states": ["CA"]}, "min_frequency": 10},
            },
        )
        assert created.status_code == 201, created.text
        segment_id = "dynamic/frequent_californians"
        assert created.headers["Location"] == f"{BASE}/{segment_id}" and created.json()["pending_refresh"] is True
        first = created.headers["ETag"]
        assert etag(editor, segment_id) == first
        assert segment_id in {s.segment_id for s in load_segments(service.definitions)}  # the build's reading
        url = f"{BASE}/{segment_id}"
        change = {"segment_name": "Frequent Californians (10+)"}
        assert editor.put(url, json=change).status_code == 428
        assert editor.put(url, json=change, headers={"If-Match": '"stale"'}).status_code == 412
        updated = editor.put(url, json=change, headers={"If-Match": first})
        assert updated.status_code == 200 and updated.json()["segment_name"] == "Frequent Californians (10+)"
        second = updated.headers["ETag"]
        assert second != first
        assert editor.put(url, json={"description": "late"}, headers={"If-Match": first}).status_code == 412
        for fixed, field in (({"segment_type": "static"}, "segment_type"), ({"slug": "other"}, "slug")):
            refused = editor.put(url, json=fixed, headers={"If-Match": second})
            assert refused.status_code == 422 and refused.json()["field"] == field
        bad = editor.put(url, json={"criteria": {"total_spend": {"gt": 1}}}, headers={"If-Match": second})
        assert bad.status_code == 422 and bad.json()["field"] == "criteria.total_spend"
        assert "did you mean 'total_spent'" in bad.json()["detail"]
        for built_in in ("rfm/champions", "journey/awareness"):
            assert editor.put(f"{BASE}/{built_in}", json=change, headers={"If-Match": "*"}).status_code == 409
            assert admin.request("DELETE", f"{BASE}/{built_in}", headers={"If-Match": "*"}).status_code == 409
        archived = admin.request("DELETE", url, headers={"If-Match": second})
        assert archived.status_code == 200 and archived.json()["status"] == "archived"
    written = [r for r in audit_records(service) if r["segment_id"] == segment_id]
    assert [r["action"] for r in written] == ["segment.create", "segment.update", "segment.archive"]
    assert written[1]["before"]["name"] == "Frequent Californians" and written[1]["after"]["name"].endswith("(10+)")
    assert written[2]["after"]["status"] == "archived" and written[0]["who"] == "test editor"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"segment_name": "x", "segment_type": "dynamic"}, "criteria"),
        (
            {"segment_name": "x", "segment_type": "dynamic", "criteria": {"min_frequency": 1}, "customer_ids": [1]},
            "customer_ids",
        ),
        ({"segment_name": "x", "segment_type": "static", "criteria": {"min_frequency": 1}}, "criteria"),
        ({"segment_name": "x", "segment_type": "behavioral", "criteria": {}}, "segment_type"),
        ({"segment_name": 5, "segment_type": "dynamic", "criteria": {"min_frequency": 1}}, "segment_name"),
        ({"segment_name": "", "segment_type": "dynamic"}, "segment_name"),
        ({"segment_name": "x\u0000y", "segment_type": "dynamic"}, "segment_name"),
        ({"segment_name": "x\u0007", "segment_type": "dynamic"}, "segment_name"),
        ({"segment_name": "x", "description": "a\u2028b", "segment_type": "dynamic"}, "description"),
        ({"segment_name": "x", "segment_type": "dynamic", "criteria": {"customer_type": "a\u0085b"}}, "criteria"),
        ({"segment_name": "x", "segment_type": "static", "customer_ids": ["1"]}, "customer_ids.0"),
        ({"segment_name": "x", "segment_type": "static", "customer_ids": [-1]}, "customer_ids.0"),
        ({"segment_name": "x", "segment_type": "static", "customer_ids": [10**30]}, "customer_ids.0"),
        ({"segment_name": "x", "segment_type": "static", "customer_ids": [1.5]}, "customer_ids.0"),
        ({"segment_name": "x", "segment_type": "dynamic", "criteria": ["min_frequency"]}, "criteria"),
        (
            {"segment_name": "x", "segment_type": "dynamic", "criteria": {"min_frequency": "1; drop"}},
            "criteria.min_frequency",
        ),
        (
            {"segment_name": "x", "segment_type": "dynamic", "criteria": {"total_spent": {"gt": 1e300}}},
            "criteria.total_spent.value",
        ),
        ({"segment_name": "x", "segment_type": "dynamic", "criteria": {"recency_days": 7}, "owner": "me"}, "owner"),
        (
            {"segment_name": "x", "segment_type": "dynamic", "slug": "../../etc", "criteria": {"min_frequency": 1}},
            "slug",
        ),
        (
            {
                "segment_name": "x",
                "segment_type": "dynamic",
                "slug": "lapsed_travellers",
                "criteria": {"min_frequency": 1},
            },
            "slug",
        ),
    ],
)
def test_bad_definitions_are_refused_naming_the_field(service: Service, body: dict[str, Any], field: str) -> None:
    before = service.definitions.read_bytes()
    with service.client("editor") as client:
        response = client.post(BASE, json=body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["field"] == field, response.text
    assert service.definitions.read_bytes() == before


def _nested(depth: int) -> dict[str, Any]:
    criteria: dict[str, Any] = {"min_frequency": 1}
    for _ in range(depth):
        criteria = {"not": criteria}
    return criteria


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b'{"segment_name": "x", "segment_type": ', 422),  # malformed JSON
        (b"not json at all", 422),
        (b'{"segment_name": "x", "segment_type": "dynamic", "criteria": {"total_spent": {"gt": Infinity}}}', 422),
        (b'{"segment_name": "\\ud800", "segment_type": "dynamic", "criteria": {"min_frequency": 1}}', 422),
        (json.dumps({"segment_name": "x", "segment_type": "dynamic", "criteria": _nested(40)}).encode(), 422),
        (b"[" * 100_000 + b"]" * 100_000, 400),  # nested past any parser's recursion
        (
            json.dumps({"segment_name": "x", "segment_type": "static", "customer_ids": list(range(400_000))}).encode(),
            413,
        ),
    ],
)
def test_malformed_and_oversized_bodies_are_4xx(service: Service, content: bytes, status: int) -> None:
    with service.client("editor") as client:
        response = client.post(BASE, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text[:500]
    assert "detail" in response.json()


def test_hostile_text_is_stored_and_matched_literally(service: Service) -> None:
    hostile = "x' or '1'='1"
    drop = "1; drop table customers; --"
    with service.client("editor") as client:
        created = create(
            client,
            {
                "segment_name": hostile,
                "description": drop + " # not a comment\n: neither: is this",
                "segment_type": "dynamic",
                "slug": "hostile_text",
                "criteria": {"customer_type": {"operator": "in", "values": [hostile, drop, 'é\\ "q" # x: [y]']}},
            },
        )
        assert created["segment_name"] == hostile and created["description"].startswith(drop)
        assert created["criteria"]["customer_type"]["values"] == [hostile, drop, 'é\\ "q" # x: [y]']
        assert client.get(BASE, params={"search": hostile}).json()["total"] >= 1
    (segment,) = [s for s in load_segments(service.definitions) if s.segment_id == "dynamic/hostile_text"]
    assert segment.name == hostile
    assert sql(service.published, "select count(*) from customer_segments")[0][0] > 0


def test_static_members_are_kept_inline_and_unknown_ids_reported(service: Service) -> None:
    known = [row[0] for row in sql(service.published, "select customer_id from customer_segments order by 1 limit 6")]
    with service.client("editor") as client:
        created = create(
            client,
            {"segment_name": "Press list", "segment_type": "static", "customer_ids": [known[0], known[1], 987654321]},
        )
        assert created["customer_ids"] == known[:2] and created["source"] == "manual"
        assert created["unknown_ids"] == [987654321]
        url = f"{BASE}/static/press_list/customers"
        assert client.post(url, json={"customer_ids": [known[2]]}).status_code == 428
        added = client.post(
            url,
            json={"customer_ids": [known[2], known[0], 123456789]},
            headers={"If-Match": etag(client, "static/press_list")},
        )
        assert added.status_code == 200, added.text
        assert (added.json()["changed"], added.json()["unchanged"], added.json()["unknown_ids"]) == (
            [known[2]],
            [known[0]],
            [123456789],
        )
        removed = client.request(
            "DELETE", url, json={"customer_ids": [known[1], known[5]]}, headers={"If-Match": added.headers["ETag"]}
        )
        assert removed.status_code == 200 and removed.json()["changed"] == [known[1]]
        assert removed.json()["segment"]["customer_ids"] == [known[0], known[2]]
        dynamic = client.post(
            f"{BASE}/dynamic/lapsed_travellers/customers",
            json={"customer_ids": [known[0]]},
            headers={"If-Match": etag(client, "dynamic/lapsed_travellers")},
        )
        assert dynamic.status_code == 409
        from_file = client.post(
            f"{BASE}/static/vip_list/customers",
            json={"customer_ids": [known[0]]},
            headers={"If-Match": etag(client, "static/vip_list")},
        )
        assert from_file.status_code == 409 and "vip_customers.csv (source import)" in from_file.json()["detail"]
    assert (
        "    customer_ids: [" + ", ".join(str(i) for i in (known[0], known[2])) + "]\n"
        in service.definitions.read_text()
    )


def _entries(text: str) -> tuple[str, dict[str, str]]:
    """An independent split of segments.yml: the text before the first entry, and each entry's lines by id (from its
    `  - id:` line to the next), trailing blank lines and comments included."""
    parts = re.split(r"(?m)^(?=  - id: )", text)
    return parts[0], {re.match(r"  - id: (\S+)", part).group(1): part for part in parts[1:]}  # type: ignore[union-attr]


def test_two_writers_and_a_hand_edit_lose_nothing(service: Service) -> None:
    with service.client("editor") as client:
        create(client, {"segment_name": "Writer one", "segment_type": "dynamic", "criteria": {"recency_days": 30}})
        create(client, {"segment_name": "Writer two", "segment_type": "static", "customer_ids": []})
    known = [row[0] for row in sql(service.published, "select customer_id from customer_segments order by 1 limit 12")]
    before_text = service.definitions.read_text()
    errors: list[str] = []

    def writer_one() -> None:
        with service.client("editor") as client:
            for number in range(12):
                while True:
                    tag = etag(client, "dynamic/writer_one")
                    answer = client.put(
                        f"{BASE}/dynamic/writer_one",
                        json={"description": f"revision {number}"},
                        headers={"If-Match": tag},
                    )
                    if answer.status_code == 200:
                        break
                    if answer.status_code != 412:
                        errors.append(answer.text)
                        return

    def writer_two() -> None:
        with service.client("editor") as client:
            for customer_id in known:
                while True:
                    tag = etag(client, "static/writer_two")
                    answer = client.post(
                        f"{BASE}/static/writer_two/customers",
                        json={"customer_ids": [customer_id]},
                        headers={"If-Match": tag},
                    )
                    if answer.status_code == 200:
                        break
                    if answer.status_code != 412:
                        errors.append(answer.text)
                        return

    def hand_edit(number: int) -> None:
        """An editor saving the file: a changed description of an unrelated entry and a comment at the end."""
        text = service.definitions.read_text()
        text = re.sub(
            r"(?m)^(    description: More than 20,000 spent in all, living in California\.)( \(\d+\))?$",
            rf"\1 ({number})",
            text,
        )
        text += f"# hand edit {number}\n"
        staging = service.definitions.with_name("segments.yml.swp")
        staging.write_text(text)
        staging.replace(service.definitions)

    threads = [threading.Thread(target=writer_one), threading.Thread(target=writer_two)]
    for thread in threads:
        thread.start()
    for number in range(5):
        time.sleep(0.3)
        hand_edit(number)
    for thread in threads:
        thread.join()
    assert not errors, errors
    after = service.definitions.read_text()
    # Every change is there: the last revision, every id, every hand edit.
    segments = {s.segment_id: s for s in load_segments(service.definitions)}
    assert segments["dynamic/writer_one"].description == "revision 11"
    rule = segments["static/writer_two"].rule
    assert isinstance(rule, CustomerIds) and sorted(rule.ids) == sorted(known)
    assert segments["dynamic/california_big_spenders"].description.endswith("California. (4)")
    assert all(f"# hand edit {number}\n" in after for number in range(5))
    # Everything else is byte-identical: the header and every other entry as the hand edits left them.
    head_before, entries_before = _entries(before_text)
    head_after, entries_after = _entries(after)
    assert head_after == head_before
    assert set(entries_after) == set(entries_before)
    for slug, text in entries_before.items():
        if slug in ("writer_one", "writer_two", "california_big_spenders"):
            continue
        expected = text
        if slug == list(entries_before)[-1]:
            expected = text + "".join(f"# hand edit {number}\n" for number in range(5))
        assert entries_after[slug] == expected, slug
    edited = entries_before["california_big_spenders"].replace("California.\n", "California. (4)\n")
    assert entries_after["california_big_spenders"] == edited


def test_two_writers_with_the_same_etag_one_wins_one_is_412(service: Service) -> None:
    with service.client("editor") as client:
        tag = etag(client, "dynamic/lapsed_travellers")
    answers: list[int] = []

    def put(description: str) -> None:
        with service.client("editor") as client:
            url = f"{BASE}/dynamic/lapsed_travellers"
            answers.append(client.put(url, json={"description": description}, headers={"If-Match": tag}).status_code)

    threads = [threading.Thread(target=put, args=(f"writer {n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 412]


def test_a_segments_export_is_admin_only_and_audited(service: Service) -> None:
    with service.client("admin") as client:
        answer = client.post(
            f"{BASE}/rfm/champions/export",
            json={"channel": "email", "fields": ["customer_id", "email"], "format": "csv"},
        )
        assert answer.status_code == 201, answer.text
        assert client.post(f"{BASE}/rfm/champions/export", json={"channel": "fax"}).json()["field"] == "channel"
        assert (
            client.post(
                f"{BASE}/rfm/champions/export", json={"channel": "sms", "fields": ["audience_rank"]}
            ).status_code
            == 422
        )
        assert client.post(f"{BASE}/rfm/champs/export", json={"channel": "sms"}).status_code == 404
    result = answer.json()
    want = sql(
        service.published,
        "select m.customer_id, d.email from segment_members as m"
        " inner join customer_contactability as c on m.customer_id = c.customer_id and c.channel = 'email'"
        " inner join dim_customer as d on m.customer_id = d.customer_id and d.is_current"
        " where m.segment_id = 'rfm/champions' and c.is_contactable order by m.customer_id",
    )
    path = service.published.parent / "exports" / result["file_name"]
    lines = path.read_text().splitlines()
    assert lines == ["customer_id,email", *(f"{i},{e or ''}" for i, e in want)]
    assert result["row_count"] == len(want) and result["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    (exported,) = [
        json.loads(line)
        for line in (service.published.parent / "exports" / "export_audit.jsonl").read_text().splitlines()
        if json.loads(line)["export_id"] == result["export_id"]
    ]
    assert exported["segment_id"] == "rfm/champions" and exported["exported_by"].startswith("test admin (token ")
    assert any(
        r["action"] == "segment.export" and r["export_id"] == result["export_id"] for r in audit_records(service)
    )


# refreshing, under load


def _answer(client: httpx.Client, path: str, params: dict[str, Any]) -> tuple[int, str | None, Any, float]:
    started = time.perf_counter()
    response = client.get(path, params=params)
    seconds = time.perf_counter() - started
    body = response.json()
    publication = body.get("publication_id") if isinstance(body, dict) else None
    if response.status_code == 200 and isinstance(body, dict):
        body = {key: value for key, value in body.items() if key != "publication_id"}
    return response.status_code, publication, body, seconds


READS: tuple[tuple[str, dict[str, Any]], ...] = (
    (f"{BASE}/static/load_list/customers", {"limit": 500}),
    (f"{BASE}/static/load_list/analytics", {}),
    (f"{BASE}/rfm/champions/customers", {"page": 2, "limit": 50}),
    (f"{BASE}/rfm/champions/analytics", {}),
)


def _expected(service: Service) -> dict[str, Any]:
    """Each read's answer now (no refresh running), and the publication it names."""
    with service.client("viewer") as client:
        answers = {path: _answer(client, path, params) for path, params in READS}
    publications = {answer[1] for answer in answers.values() if answer[1]}
    assert len(publications) == 1
    return {"publication": publications.pop(), **{path: (a[0], a[2]) for path, a in answers.items()}}


def test_a_refresh_under_load_publishes_once_and_every_answer_is_from_one_publication(service: Service) -> None:
    known = [row[0] for row in sql(service.published, "select customer_id from customer_segments order by 1 limit 40")]
    with service.client("editor") as client:
        create(client, {"segment_name": "Load list", "segment_type": "static", "customer_ids": known})
    old = _expected(service)
    assert old[f"{BASE}/static/load_list/customers"][1]["total"] == 0  # not built yet
    assert old[f"{BASE}/static/load_list/analytics"][0] == 404
    answers: list[tuple[str, int, str | None, Any, float]] = []
    failures: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        with service.client("viewer", timeout=60) as client:
            while not stop.is_set():
                for path, params in READS:
                    try:
                        status, publication, body, seconds = _answer(client, path, params)
                    except httpx.HTTPError as error:
                        failures.append(f"{path}: {error!r}")
                        continue
                    answers.append((path, status, publication, body, seconds))
                    time.sleep(READ_PAUSE_SECONDS)

    readers = [threading.Thread(target=reader) for _ in range(READERS)]
    for thread in readers:
        thread.start()
    try:
        with service.client("editor") as client:
            accepted = client.post(f"{BASE}/static/load_list/refresh")
            assert accepted.status_code == 202, accepted.text
            job_url = accepted.json()["status_url"]
            assert accepted.headers["Location"] == job_url
            assert client.post(f"{BASE}/rfm/champions/refresh").status_code == 409
            deadline = time.monotonic() + REFRESH_SECONDS
            while (job := client.get(job_url).json())["status"] in ("queued", "running"):
                assert time.monotonic() < deadline, job
                time.sleep(2)
        time.sleep(2)
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert job["status"] == "succeeded", job
    new = _expected(service)
    assert new["publication"] != old["publication"]
    # The refresh built the segment created through the service: its listed ids are members, source manual.
    members = new[f"{BASE}/static/load_list/customers"][1]
    assert members["total"] == len(known) and {m["source"] for m in members["items"]} == {"manual"}
    assert sql(
        service.published,
        "select count(*) from customer_segment_memberships where segment_id = 'static/load_list' and source = 'manual'"
        " and is_active",
    )[0][0] == len(known)
    assert new[f"{BASE}/static/load_list/analytics"][1]["total_customers"] == len(known)
    assert not failures, failures[:5]
    by_publication = {old["publication"]: old, new["publication"]: new}
    statuses = Counter((path.rsplit("/", 1)[-1], status) for path, status, *_ in answers)
    assert all(status in (200, 404) for _, status in statuses), statuses
    mixed = [
        (path, status, publication)
        for path, status, publication, body, _ in answers
        if status == 200 and (publication not in by_publication or by_publication[publication][path] != (status, body))
    ]
    assert not mixed, mixed[:5]
    unbuilt = [a for a in answers if a[0].endswith("load_list/analytics") and a[1] == 404]
    assert all(a[3] == old[f"{BASE}/static/load_list/analytics"][1] for a in unbuilt)
    seen = {publication for _, status, publication, _, _ in answers if status == 200}
    assert seen == set(by_publication), "readers saw both publications"
    latencies = [seconds for *_, seconds in answers]
    print(
        f"\nload test: {len(answers)} reads by {READERS} readers during the refresh "
        f"({job['started_at']} .. {job['finished_at']}), "
        f"{len(failures)} failed; latency median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {statistics.quantiles(latencies, n=20)[-1] * 1000:.0f} ms; statuses {dict(statuses)}"
    )
    actions = [r["action"] for r in audit_records(service) if r.get("job_id") == job["job_id"]]
    assert actions == ["refresh.start", "refresh.succeeded"]
