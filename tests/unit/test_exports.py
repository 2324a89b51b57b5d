"""The campaign audience export (segmentation/exports/), on a small hand-written published file with the campaign
tables of the interface (notes: contract-19) and the real dim_customer columns; no dbt needed."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import multiprocessing
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import duckdb
import openpyxl
import pytest
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from segmentation.exports import audit
from segmentation.exports.cli import main
from segmentation.exports.errors import ExportFailed, ExportRefused
from segmentation.exports.export import export_audience, export_segment
from segmentation.exports.fields import ALLOWED_FIELDS, parse_fields
from segmentation.exports.progress import Progress
from segmentation.project import PROJECT_DIR


@dataclass(frozen=True)
class Customer:
    customer_id: int
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None


CUSTOMERS = [
    Customer(1, "Ann", "Lee", "ann@example.com", "+1 555 0101"),
    Customer(2, '=HYPERLINK("http://x","y")', "Formula", "two@example.com", "+1 555 0102"),
    Customer(3, "José", "Núñez", "jose@example.com", None),
    Customer(4, "Bo", "Chen", "bo@example.com", "+1 555 0104"),
    Customer(5, "Cy", "Diaz", None, "+1 555 0105"),
    Customer(6, "Zoë", "O'Brien, Jr.", "zoe@example.com", "+1 555 0106"),
    Customer(7, "Hal", "Holdout", "hal@example.com", "+1 555 0107"),
    Customer(8, "Ida", "Notin", "ida@example.com", "+1 555 0108"),
]
# customer 9 is in an audience but no longer a current customer: no dim_customer row, no contactability row.

# (customer_id, channel) -> not_contactable_reasons; every other current customer is contactable on every channel.
NOT_CONTACTABLE = {
    (4, "email"): "no consent, suppressed",
    (4, "sms"): "no consent, suppressed",
    (5, "email"): "no valid contact",
    (6, "sms"): "notifications off",
}

# campaign_id, name, type, channel, status
CAMPAIGNS = [
    ("travel_perks", "Travel perks", "email", "email", "scheduled"),
    ("winback_sms", "Win-back", "sms", "sms", "sent"),
    ("onboarding_push", "Onboarding", "notification", "push", "draft"),
    ("old_offer", "Old offer", "discount", "email", "cancelled"),
    ("all_blocked", "Nobody reachable", "email", "email", "scheduled"),
]

# (campaign_id, customer_id, test_group, audience_rank)
AUDIENCES = [
    ("travel_perks", 3, "treatment", 1),
    ("travel_perks", 1, "treatment", 2),
    ("travel_perks", 7, "holdout", 3),
    ("travel_perks", 4, "treatment", 4),
    ("travel_perks", 5, "treatment", 5),
    ("travel_perks", 2, "treatment", 6),
    ("travel_perks", 6, "treatment", 7),
    ("travel_perks", 9, "treatment", 8),
    ("winback_sms", 5, "treatment", 1),
    ("winback_sms", 6, "treatment", 2),
    ("winback_sms", 4, "treatment", 3),
    ("winback_sms", 1, "holdout", 4),
    ("winback_sms", 8, "treatment", 5),
    ("old_offer", 1, "treatment", 1),
    ("all_blocked", 4, "treatment", 1),
    ("all_blocked", 7, "holdout", 2),
]
# onboarding_push has no audience at all.

CHANNEL_OF = {campaign[0]: campaign[3] for campaign in CAMPAIGNS}
ALL_FIELDS = ",".join(ALLOWED_FIELDS)


def write_published_file(path: Path, audiences: list[tuple[str, int, str, int]] = AUDIENCES) -> None:
    """The four tables the export reads, with exactly the interface's columns (dim_customer: the mart's contract)."""
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            create table campaigns (
                campaign_id varchar, campaign_name varchar, campaign_type varchar, channel varchar,
                segment_id varchar, scheduled_at timestamp, status varchar, holdout_pct decimal(5, 2),
                audience_limit integer, cost_per_message decimal(18, 4)
            )
            """
        )
        for campaign_id, name, kind, channel, status in CAMPAIGNS:
            con.execute(
                "insert into campaigns values (?, ?, ?, ?, 'behavioral/declining', timestamp '2025-07-01 09:00',"
                " ?, 10.00, null, 0.0100)",
                [campaign_id, name, kind, channel, status],
            )
        con.execute(
            """
            create table campaign_audiences (
                campaign_id varchar, customer_id bigint, test_group varchar, audience_rank integer,
                channel varchar, selected_at date
            )
            """
        )
        for campaign_id, customer_id, group, rank in audiences:
            con.execute(
                "insert into campaign_audiences values (?, ?, ?, ?, ?, date '2025-06-30')",
                [campaign_id, customer_id, group, rank, CHANNEL_OF[campaign_id]],
            )
        con.execute(
            """
            create table customer_contactability (
                customer_id bigint, channel varchar, is_contactable boolean, not_contactable_reasons varchar
            )
            """
        )
        for customer in CUSTOMERS:
            for channel in ("email", "sms", "push", "phone"):
                reasons = NOT_CONTACTABLE.get((customer.customer_id, channel))
                con.execute(
                    "insert into customer_contactability values (?, ?, ?, ?)",
                    [customer.customer_id, channel, reasons is None, reasons],
                )
        con.execute(
            """
            create table dim_customer (
                customer_key varchar, customer_id bigint, first_name varchar, last_name varchar, email varchar,
                phone varchar, date_of_birth date, gender varchar, city varchar, state varchar, country varchar,
                postal_code varchar, signup_date date, account_status varchar, valid_from timestamp,
                valid_to timestamp, is_current boolean
            )
            """
        )
        for customer in CUSTOMERS:
            con.execute(
                "insert into dim_customer values (?, ?, ?, ?, ?, ?, date '1980-01-01', 'Female', 'Austin', 'TX',"
                " 'USA', '78701', date '2020-01-01', 'Active', timestamp '2025-05-31', null, true)",
                [
                    f"key-{customer.customer_id}",
                    customer.customer_id,
                    customer.first_name,
                    customer.last_name,
                    customer.email,
                    customer.phone,
                ],
            )
        # An earlier profile version of customer 1: the export must use the current row only (and not fan out).
        con.execute(
            "insert into dim_customer values ('key-1-old', 1, 'Ann', 'Old', 'old@example.com', null, null, null,"
            " null, null, null, null, date '2020-01-01', 'Active', timestamp '2024-12-31', timestamp '2025-05-31',"
            " false)"
        )
        con.execute("create table publication as select 'pub-1' as publication_id")


@pytest.fixture()
def published(tmp_path: Path) -> Path:
    path = tmp_path / "published" / "warehouse.duckdb"
    path.parent.mkdir()
    write_published_file(path)
    return path


def expected_rows(campaign_id: str, fields: list[str]) -> list[list[str]]:
    """Independently of the export's SQL: the campaign's treatment members contactable on its channel, by rank."""
    channel = CHANNEL_OF[campaign_id]
    current = {customer.customer_id: customer for customer in CUSTOMERS}
    members = sorted(
        (rank, customer_id)
        for campaign, customer_id, group, rank in AUDIENCES
        if campaign == campaign_id
        and group == "treatment"
        and customer_id in current
        and (customer_id, channel) not in NOT_CONTACTABLE
    )
    values = {
        "audience_rank": lambda rank, customer: rank,
        "customer_id": lambda rank, customer: customer.customer_id,
        "first_name": lambda rank, customer: customer.first_name,
        "last_name": lambda rank, customer: customer.last_name,
        "email": lambda rank, customer: customer.email,
        "phone": lambda rank, customer: customer.phone,
        "city": lambda rank, customer: "Austin",
        "state": lambda rank, customer: "TX",
        "postal_code": lambda rank, customer: "78701",
        "country": lambda rank, customer: "USA",
    }
    return [
        ["" if (value := values[name](rank, current[customer_id])) is None else str(value) for name in fields]
        for rank, customer_id in members
    ]


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def read_xlsx(path: Path) -> list[list[str]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    sheet = workbook.active
    assert isinstance(sheet, ReadOnlyWorksheet)
    rows = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


READERS = {"csv": read_csv, "xlsx": read_xlsx}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_each_format_reads_back_as_the_contactable_treatment_group_in_rank_order(
    published: Path, file_format: str
) -> None:
    fields = list(ALLOWED_FIELDS)
    result = export_audience(published, "travel_perks", fields, file_format)
    path = Path(result.record.file_path)
    assert path.parent == published.parent / "exports"
    assert path.suffix == "." + file_format
    rows = READERS[file_format](path)
    assert rows[0] == fields
    assert rows[1:] == expected_rows("travel_perks", fields)
    assert [row[0] for row in rows[1:]] == ["3", "1", "2", "6"]  # the customer ids, as a readable cross-check
    assert result.record.row_count == 4


def test_fields_come_in_the_order_asked_and_only_those(published: Path) -> None:
    fields = ["email", "customer_id"]
    result = export_audience(published, "travel_perks", fields, "csv")
    rows = read_csv(Path(result.record.file_path))
    assert rows[0] == fields
    assert rows[1:] == expected_rows("travel_perks", fields)


def test_csv_is_utf8_without_a_byte_order_mark_and_quotes_a_comma(published: Path) -> None:
    result = export_audience(published, "travel_perks", ["customer_id", "first_name", "last_name"], "csv")
    raw = Path(result.record.file_path).read_bytes()
    assert raw.startswith(b"customer_id,first_name,last_name\r\n")
    assert '6,Zoë,"O\'Brien, Jr."\r\n'.encode() in raw
    assert "3,José,Núñez".encode() in raw


def test_xlsx_keeps_a_value_starting_with_equals_as_text_not_a_formula(published: Path) -> None:
    result = export_audience(published, "travel_perks", ["customer_id", "first_name"], "xlsx")
    sheet = openpyxl.load_workbook(result.record.file_path).active
    assert isinstance(sheet, Worksheet)
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert cells[2].value == '=HYPERLINK("http://x","y")'
    assert cells[2].data_type == "s"
    assert isinstance(cells[6].value, str) and cells[1].data_type == "s"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_member_not_contactable_on_the_campaigns_channel_is_never_exported(published: Path, file_format: str) -> None:
    email = export_audience(published, "travel_perks", ["customer_id"], file_format)
    exported = {row[0] for row in READERS[file_format](Path(email.record.file_path))[1:]}
    assert not exported & {"4", "5", "9"}  # no consent + suppressed; no valid email; not a current customer
    assert email.record.left_out_count == 3
    assert email.record.left_out_reasons == {
        "no consent, suppressed": 1,
        "no valid contact": 1,
        "not a current customer": 1,
    }
    # The channel is the campaign's: customer 5 (no email) is reachable by SMS, customer 6 (notifications off) not.
    sms = export_audience(published, "winback_sms", ["customer_id"], file_format)
    assert [row[0] for row in READERS[file_format](Path(sms.record.file_path))[1:]] == ["5", "8"]
    assert sms.record.left_out_reasons == {"notifications off": 1, "no consent, suppressed": 1}


def test_holdout_members_are_never_exported(published: Path) -> None:
    for campaign_id, holdout in (("travel_perks", "7"), ("winback_sms", "1")):
        result = export_audience(published, campaign_id, ["customer_id"], "csv")
        exported = {row[0] for row in read_csv(Path(result.record.file_path))[1:]}
        assert holdout not in exported
        assert result.audience.treatment_size == sum(
            1 for campaign, _, group, _ in AUDIENCES if campaign == campaign_id and group == "treatment"
        )


def test_audit_record_has_the_files_checksum_and_a_second_export_adds_a_second_record(published: Path) -> None:
    log = published.parent / "exports" / "export_audit.jsonl"
    first = export_audience(published, "travel_perks", ["customer_id", "email"], "xlsx")
    assert audit.read_records(log) == [first.record]
    second = export_audience(published, "winback_sms", ["customer_id", "phone"], "csv")
    records = audit.read_records(log)
    assert records == [first.record, second.record]
    for record in records:
        assert record.sha256 == hashlib.sha256(Path(record.file_path).read_bytes()).hexdigest()
    assert first.record.export_id != second.record.export_id
    assert (first.record.campaign_id, first.record.row_count, first.record.left_out_count) == ("travel_perks", 4, 3)
    assert (first.record.fields, first.record.format, first.record.channel) == (
        ["customer_id", "email"],
        "xlsx",
        "email",
    )
    assert first.record.publication_id == "pub-1"
    exported_at = dt.datetime.strptime(first.record.exported_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    assert abs((dt.datetime.now(dt.timezone.utc) - exported_at).total_seconds()) < 60


def test_audit_log_survives_republishing_the_file(published: Path, tmp_path: Path) -> None:
    """Publishing replaces the file by a rename; the log beside it is untouched and keeps growing."""
    export_audience(published, "travel_perks", ["customer_id"], "csv")
    replacement = tmp_path / "new.duckdb"
    write_published_file(replacement, [a for a in AUDIENCES if a[1] != 3])
    replacement.replace(published)
    export_audience(published, "travel_perks", ["customer_id"], "csv")
    records = audit.read_records(published.parent / "exports" / "export_audit.jsonl")
    assert [record.row_count for record in records] == [4, 3]


def _append_many(log: Path, worker: int) -> None:
    for number in range(50):
        audit.append_record(
            log,
            audit.AuditRecord(
                export_id=f"{worker}-{number}",
                campaign_id="c" * 3000,
                channel="email",
                exported_at="2025-07-01T00:00:00Z",
                row_count=number,
                left_out_count=0,
                left_out_reasons={},
                fields=["customer_id"],
                format="csv",
                file_path="/x",
                sha256="0" * 64,
                database="/d",
                publication_id=None,
                exported_by="test",
            ),
        )


def test_concurrent_appends_never_interleave_or_lose_a_record(tmp_path: Path) -> None:
    log = tmp_path / "exports" / "export_audit.jsonl"
    processes = [multiprocessing.Process(target=_append_many, args=(log, worker)) for worker in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    records = audit.read_records(log)  # a torn or interleaved line would not parse
    assert sorted(record.export_id for record in records) == sorted(f"{w}-{n}" for w in range(4) for n in range(50))


def test_unknown_campaign_is_refused_listing_the_campaigns(published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--campaign", "nope", "--format", "csv", "--fields", "customer_id", "--database", str(published)])
    assert code == 2
    error = capsys.readouterr().err
    assert "no campaign 'nope'" in error
    assert "travel_perks (scheduled)" in error and "winback_sms (sent)" in error
    assert not (published.parent / "exports").exists()


@pytest.mark.parametrize("fields", ["customer_id,date_of_birth", "customer_id,secret", "customer_id,", "email,email"])
def test_unknown_or_unallowed_field_is_refused_listing_the_allowed(
    published: Path, capsys: pytest.CaptureFixture[str], fields: str
) -> None:
    code = main(["--campaign", "travel_perks", "--format", "xlsx", "--fields", fields, "--database", str(published)])
    assert code == 2
    error = capsys.readouterr().err
    assert error.startswith("export refused: ")
    if fields != "email,email":
        assert "allowed: " + ", ".join(ALLOWED_FIELDS) in error
    assert not (published.parent / "exports").exists()


def test_every_allowed_field_is_a_dim_customer_or_audience_column_and_no_other_is_allowed() -> None:
    assert set(ALLOWED_FIELDS) <= {
        "customer_id",
        "audience_rank",
        "first_name",
        "last_name",
        "email",
        "phone",
        "city",
        "state",
        "country",
        "postal_code",
    }
    with pytest.raises(ExportRefused, match="gender"):
        parse_fields("gender")


@pytest.mark.parametrize(
    ("campaign_id", "message"),
    [
        ("onboarding_push", "has no audience"),
        ("old_offer", "is cancelled"),
        ("all_blocked", "nothing to export: all 1 treatment members .*\\(no consent, suppressed 1\\)"),
    ],
)
def test_a_campaign_with_nothing_to_export_is_refused(published: Path, campaign_id: str, message: str) -> None:
    with pytest.raises(ExportRefused, match=message):
        export_audience(published, campaign_id, ["customer_id"], "csv")
    assert not (published.parent / "exports").exists()


def test_a_file_without_the_campaign_tables_fails_naming_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "old.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create table dim_customer (customer_id bigint)")
    code = main(["--campaign", "x", "--format", "csv", "--fields", "customer_id", "--database", str(database)])
    assert code == 1
    assert "has no campaigns, campaign_audiences, customer_contactability" in capsys.readouterr().err


def test_command_ends_with_one_summary_line_and_leaves_the_published_file_unchanged_and_closed(
    published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    out = tmp_path / "handover"
    code = main(
        [
            "--campaign",
            "travel_perks",
            "--format",
            "xlsx",
            "--fields",
            "customer_id,email",
            "--database",
            str(published),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert re.match(
        rf"exported 4 of 7 treatment members of travel_perks from {re.escape(str(published.resolve()))} to "
        rf"{re.escape(str(out.resolve()))}/travel_perks_\S+\.xlsx"
        r" in \d+\.\d s; left out 3 not contactable on email: ",
        lines[0],
    )
    assert len(list(out.glob("*.xlsx"))) == 1 and not list(out.glob(".*"))  # no partial file left
    # The log stays beside the published file whatever --out says.
    assert audit.read_records(published.parent / "exports" / "export_audit.jsonl")[0].file_path.startswith(str(out))
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    with duckdb.connect(str(published)) as con:  # the export's read-only connection is closed
        assert con.execute("select count(*) from campaigns").fetchone() == (len(CAMPAIGNS),)


def test_progress_speaks_only_after_its_interval() -> None:
    quiet, talking = StringIO(), StringIO()
    Progress(50_000, stream=quiet, every_seconds=3600)(1_000)
    Progress(50_000, stream=talking, every_seconds=0)(20_000)
    assert quiet.getvalue() == ""
    assert talking.getvalue().startswith("  ... 20,000 of 50,000 rows written (")


def test_the_function_checks_the_fields_too(published: Path) -> None:
    with pytest.raises(ExportRefused, match="not allowed in an export: date_of_birth; allowed: customer_id, "):
        export_audience(published, "travel_perks", ["customer_id", "date_of_birth"], "csv")


def test_a_dim_customer_without_an_allowed_column_fails_with_exit_1(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(published)) as con:
        con.execute("alter table dim_customer drop column phone")
    code = main(["--campaign", "travel_perks", "--format", "csv", "--fields", "phone", "--database", str(published)])
    assert code == 1
    error = capsys.readouterr().err
    assert error.startswith(f"export failed, nothing written: could not read the audience from {published}: ")
    assert "phone" in error
    assert not (published.parent / "exports").exists()


def make_export_database(work: Path, *arguments: str, env: dict[str, str] | None = None) -> str:
    """The --database `make export` passes, from a dry run of the project's Makefile in `work`."""
    for name in ("requirements.lock", "pyproject.toml", "setup.py"):  # what the install step depends on
        (work / name).touch()
    clean = {k: v for k, v in os.environ.items() if k not in ("DUCKDB_PATH", "MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    run = subprocess.run(
        [
            shutil.which("make") or "make",
            "-n",
            "-f",
            str(PROJECT_DIR / "Makefile"),
            "export",
            "CAMPAIGN=c",
            "FIELDS=customer_id",
            *arguments,
        ],
        cwd=work,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"--database '([^']*)'", run.stdout)
    assert found, run.stdout
    return found.group(1)


def test_make_export_reads_your_published_file_else_the_demos(tmp_path: Path) -> None:
    assert make_export_database(tmp_path) == "data/demo/published/warehouse.duckdb"
    assert make_export_database(tmp_path, "PUBLISHED_PATH=mine.duckdb") == "mine.duckdb"  # named: never the demo's
    assert make_export_database(tmp_path, env={"DUCKDB_PATH": "w/x.duckdb"}) == "w/published/x.duckdb"
    (tmp_path / "data" / "published").mkdir(parents=True)
    (tmp_path / "data" / "published" / "warehouse.duckdb").touch()
    assert make_export_database(tmp_path) == "data/published/warehouse.duckdb"


# A segment's export (`make export SEGMENT=`, the service's POST /{id}/export): the segment's current members
# contactable on the chosen channel, by customer_id, with the same fields, files and audit record as a campaign's
# export; on the published file above with the catalog's two tables added.
# segment_id -> current members (customer 9 is no longer a current customer: no dim_customer, no contactability)
MEMBERS = {
    "rfm/champions": [6, 1, 4, 9, 5],
    "static/press": [3],
    "dynamic/nobody_reachable": [4],
}
EMPTY_SEGMENT = "dynamic/empty"


@pytest.fixture()
def segment_published(tmp_path: Path) -> Path:
    path = tmp_path / "published" / "warehouse.duckdb"
    path.parent.mkdir()
    write_published_file(path)
    with duckdb.connect(str(path)) as con:
        con.execute("create table segments (segment_id varchar, segment_name varchar, segment_type varchar)")
        con.execute(
            "create table segment_members (segment_id varchar, customer_id bigint, segment_name varchar,"
            " segment_type varchar, joined_at date, source varchar)"
        )
        for segment_id in [*MEMBERS, EMPTY_SEGMENT]:
            kind = segment_id.split("/")[0]
            con.execute("insert into segments values (?, ?, ?)", [segment_id, segment_id.title(), kind])
            for customer_id in MEMBERS.get(segment_id, []):
                con.execute(
                    "insert into segment_members values (?, ?, ?, ?, date '2025-06-30', 'automatic')",
                    [segment_id, customer_id, segment_id.title(), kind],
                )
    return path


def expected_segment_rows(segment_id: str, channel: str) -> list[list[str]]:
    """Independently of the export's SQL: the members who are current customers and not refused on the channel."""
    emails = {customer.customer_id: customer.email for customer in CUSTOMERS}
    return [
        [str(customer_id), emails[customer_id] or ""]
        for customer_id in sorted(MEMBERS[segment_id])
        if customer_id in emails and (customer_id, channel) not in NOT_CONTACTABLE
    ]


@pytest.mark.parametrize("channel", ["email", "sms", "push"])
def test_a_segment_exports_its_contactable_members_by_customer_id(segment_published: Path, channel: str) -> None:
    result = export_segment(
        segment_published, "rfm/champions", channel, ["customer_id", "email"], "csv", exported_by="amy"
    )
    with open(result.record.file_path, encoding="utf-8", newline="") as file:
        assert list(csv.reader(file)) == [["customer_id", "email"], *expected_segment_rows("rfm/champions", channel)]
    record = audit.read_records(segment_published.parent / "exports" / "export_audit.jsonl")[-1]
    assert (record.segment_id, record.campaign_id, record.channel, record.exported_by) == (
        "rfm/champions",
        None,
        channel,
        "amy",
    )
    assert record.row_count + record.left_out_count == len(MEMBERS["rfm/champions"])
    assert record.left_out_reasons.get("not a current customer") == 1
    # The segment id's `/` never reaches the file's name as a folder.
    assert re.fullmatch(r"rfm-champions_\d{8}T\d{6}Z_[0-9a-f]{8}\.csv", Path(record.file_path).name)


@pytest.mark.parametrize(
    ("segment_id", "channel", "fields", "message"),
    [
        ("rfm/nope", "email", ["customer_id"], "no segment 'rfm/nope'"),
        ("../../etc/passwd", "email", ["customer_id"], "no segment"),
        ("x' or '1'='1", "email", ["customer_id"], "no segment"),
        (EMPTY_SEGMENT, "email", ["customer_id"], "has no current members"),
        ("dynamic/nobody_reachable", "email", ["customer_id"], "nothing to export: all 1 members"),
        ("rfm/champions", "fax", ["customer_id"], "unknown channel 'fax'; allowed: email, sms, push, phone"),
        ("rfm/champions", "email", ["audience_rank"], "audience_rank: a campaign's field"),
        ("rfm/champions", "email", ["date_of_birth"], "not allowed in an export: date_of_birth"),
    ],
)
def test_refusals_write_nothing(
    segment_published: Path, segment_id: str, channel: str, fields: list[str], message: str
) -> None:
    with pytest.raises(ExportRefused, match=re.escape(message)):
        export_segment(segment_published, segment_id, channel, fields, "csv")
    assert not (segment_published.parent / "exports").exists()
    with duckdb.connect(str(segment_published)) as con:  # hostile ids were bound, not run: the tables are intact
        assert con.execute("select count(*) from segment_members").fetchone() == (7,)


def test_a_file_without_the_catalog_fails_naming_it(tmp_path: Path) -> None:
    database = tmp_path / "old.duckdb"
    write_published_file(database)
    with pytest.raises(ExportFailed, match="has no segments, segment_members"):
        export_segment(database, "rfm/champions", "email", ["customer_id"], "csv")


def test_the_command_line_exports_a_segment_and_refuses_a_missing_channel(
    segment_published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--format", "xlsx", "--fields", "customer_id,email", "--database", str(segment_published)]
    assert main(["--segment", "rfm/champions", *base]) == 2
    assert "--segment needs --channel" in capsys.readouterr().err
    assert main(["--campaign", "travel_perks", "--channel", "sms", *base]) == 2
    assert "--channel is for --segment" in capsys.readouterr().err
    assert main(["--segment", "rfm/champions", "--channel", "email", *base]) == 0
    line = capsys.readouterr().out.strip()
    written = len(expected_segment_rows("rfm/champions", "email"))
    assert line.startswith(f"exported {written} of 5 members of segment rfm/champions contactable on email from "), line
    with pytest.raises(SystemExit) as usage:  # argparse: one of --campaign and --segment
        main(["--segment", "static/press", "--campaign", "travel_perks", "--channel", "email", *base])
    assert usage.value.code == 2
