"""The audience export on the sample warehouse's real campaign models (docs/rules/campaigns.md), published as `make
build`
publishes it: every campaign's file holds exactly its treatment members contactable on its channel, in rank order,
with the current dim_customer contact details, and each export is recorded."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from integration.harness import Warehouse
from segmentation.exports import audit
from segmentation.exports.export import export_audience
from segmentation.publish import publish

FIELDS = ["customer_id", "audience_rank", "email", "phone"]


@pytest.fixture(scope="module")
def published(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exports") / "published" / "warehouse.duckdb"
    publish(built.database, path)
    return path


def expected(built: Warehouse, campaign_id: str) -> list[list[str]]:
    rows = built.query(
        f"""
        select a.customer_id, a.audience_rank, d.email, d.phone
        from campaign_audiences as a
        inner join campaigns as k on a.campaign_id = k.campaign_id
        inner join customer_contactability as c on a.customer_id = c.customer_id and k.channel = c.channel
        inner join dim_customer as d on a.customer_id = d.customer_id and d.is_current
        where a.campaign_id = '{campaign_id}' and a.test_group = 'treatment' and c.is_contactable
        order by a.audience_rank
        """
    )
    return [["" if value is None else str(value) for value in row] for row in rows]


def test_each_campaign_exports_its_contactable_treatment_group(built: Warehouse, published: Path) -> None:
    campaigns = built.query(
        "select k.campaign_id, count(*) from campaigns as k inner join campaign_audiences as a"
        " on a.campaign_id = k.campaign_id and a.test_group = 'treatment'"
        " where k.status <> 'cancelled' group by k.campaign_id order by k.campaign_id"
    )
    assert campaigns, "the sample has no campaign with a treatment group"
    for campaign_id, treatment_size in campaigns:
        want = expected(built, campaign_id)
        if not want:
            continue
        result = export_audience(published, campaign_id, FIELDS, "csv")
        with open(result.record.file_path, encoding="utf-8", newline="") as file:
            assert list(csv.reader(file)) == [FIELDS, *want], campaign_id
        assert result.record.row_count + result.record.left_out_count == treatment_size
    records = audit.read_records(published.parent / "exports" / "export_audit.jsonl")
    assert len(records) == sum(1 for campaign_id, _ in campaigns if expected(built, campaign_id))


def test_the_largest_audience_exports_to_xlsx_with_its_checksum_recorded(built: Warehouse, published: Path) -> None:
    campaign_id = built.query(
        "select campaign_id from campaign_audiences where test_group = 'treatment'"
        " group by campaign_id order by count(*) desc, campaign_id limit 1"
    )[0][0]
    result = export_audience(published, campaign_id, FIELDS, "xlsx")
    workbook = openpyxl.load_workbook(result.record.file_path, read_only=True)
    sheet = workbook.active
    assert isinstance(sheet, ReadOnlyWorksheet)
    rows = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    assert rows == [FIELDS, *expected(built, campaign_id)]
    record = audit.read_records(published.parent / "exports" / "export_audit.jsonl")[-1]
    assert record.export_id == result.record.export_id
    assert record.sha256 == hashlib.sha256(Path(result.record.file_path).read_bytes()).hexdigest()


def test_consent_withdrawn_after_selection_keeps_the_member_out(
    built: Warehouse, published: Path, tmp_path: Path
) -> None:
    """A later publish says the first treatment member may no longer be contacted: the frozen audience still lists
    them, the export does not."""
    campaign_id, channel, customer_id = built.query(
        "select a.campaign_id, k.channel, a.customer_id from campaign_audiences as a"
        " inner join campaigns as k on a.campaign_id = k.campaign_id"
        " where a.test_group = 'treatment' and k.status <> 'cancelled' order by a.audience_rank, a.campaign_id limit 1"
    )[0]
    republished = tmp_path / "published" / "warehouse.duckdb"
    republished.parent.mkdir()
    shutil.copy(published, republished)
    with duckdb.connect(str(republished)) as con:
        con.execute(
            "update customer_contactability set is_contactable = false, not_contactable_reasons = 'no consent'"
            " where customer_id = ? and channel = ?",
            [customer_id, channel],
        )
    result = export_audience(republished, campaign_id, ["customer_id"], "csv")
    with open(result.record.file_path, encoding="utf-8", newline="") as file:
        exported = [row[0] for row in csv.reader(file)][1:]
    assert str(customer_id) not in exported
    assert exported == [row[0] for row in expected(built, campaign_id) if row[0] != str(customer_id)]
    assert (result.record.left_out_count, result.record.left_out_reasons) == (1, {"no consent": 1})
