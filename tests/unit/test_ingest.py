"""The loader (segmentation/ingest/) on hand-written files, into DuckDB files of its own, without dbt: what it reads
from the raw source's declaration, how it recognises an unchanged, a new, a grown and a changed file, and that a
grown file's new lines alone give the raw table a reading of the whole file gives, line numbers included."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import duckdb
import pytest

from segmentation.ingest import RawInputError, cli, files, loader, manifest, targets
from segmentation.ingest.entities import raw_entities
from segmentation.ingest.files import RawFolder, file_facts, find_raw_file
from segmentation.ingest.manifest import LoadMode
from segmentation.ingest.postgres_writer import copy_field

CUSTOMERS_HEADER = (
    "customer_id,first_name,last_name,email,phone,date_of_birth,gender,city,state,country,postal_code,signup_date,"
    "account_status"
)
TRANSACTIONS_HEADER = "transaction_id,customer_id,transaction_date,amount,merchant_category"


def customer(n: int) -> str:
    return f"{n},First{n},Last{n},c{n}@example.com,,1980-01-01,Other,Springfield,IL,USA,62701,2020-01-01,active"


def write_raw(folder: Path, transactions: list[str], customers: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "customers.csv").write_text("\n".join([CUSTOMERS_HEADER, *map(customer, range(1, customers + 1))]) + "\n")
    (folder / "transactions.csv").write_text("\n".join([TRANSACTIONS_HEADER, *transactions]) + "\n")
    return folder


def load(raw: Path, database: Path, full_refresh: bool = False) -> dict[str, LoadMode]:
    report = targets_load(raw, database, full_refresh)
    return {item.entity: item.mode for item in report}


def targets_load(raw: Path, database: Path, full_refresh: bool = False) -> list[loader.Loaded]:
    from segmentation.ingest import load_raw_files

    return load_raw_files(str(raw), "duckdb", database, full_refresh)


def rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.sql(sql).fetchall()


def raw_table(database: Path, entity: str = "transactions") -> list[tuple[Any, ...]]:
    return sorted(rows(database, f"select * from raw.{entity}"), key=repr)


def manifest_rows(database: Path, entity: str = "transactions") -> list[tuple[Any, ...]]:
    return rows(
        database,
        "select load_mode, loaded_from_byte, rows_read, rejected_lines, rows_loaded from raw.load_manifest"
        f" where entity = '{entity}' order by loaded_at",
    )


# --- what the raw source declares


def test_the_columns_and_optional_inputs_come_from_the_raw_source() -> None:
    entities = {entity.name: entity for entity in raw_entities()}
    assert entities["transactions"].columns == (
        "transaction_id",
        "customer_id",
        "transaction_date",
        "amount",
        "merchant_category",
        "product_id",
    )
    assert entities["transactions"].optional_columns == {"product_id"}
    assert entities["customers"].optional_columns == {"loyalty_points", "last_login", "customer_type"}
    assert {name for name, entity in entities.items() if entity.optional_file} == {
        "products",
        "behavior_events",
        "customer_preferences",
        "suppressions",
        "campaign_deliveries",
    }
    assert entities["behavior_events"].required_columns == ("event_id", "customer_id", "event_type", "occurred_at")
    # every field as text, then the line columns staging reads (the same columns the raw relation always had)
    assert [name for name, _ in entities["suppressions"].table_columns] == [
        "customer_id",
        "email",
        "reason",
        "added_at",
        "line_number",
        "line_text",
        "line_reject_reason",
    ]


# --- finding a file and its facts


def test_csv_is_read_when_both_formats_are_there_and_parquet_when_alone(tmp_path: Path) -> None:
    folder = RawFolder.named(str(tmp_path))
    (tmp_path / "customers.parquet").write_bytes(b"")
    found = find_raw_file(folder, "customers")
    assert found is not None and found.path == tmp_path / "customers.parquet" and found.file_format == "parquet"
    (tmp_path / "customers.csv").write_text("x\n")
    found = find_raw_file(folder, "customers")
    assert found is not None and found.file_format == "csv"
    assert find_raw_file(folder, "transactions") is None


def test_a_missing_file_is_named_in_both_formats_as_the_user_gave_the_folder() -> None:
    folder = RawFolder.named("data/somewhere/")
    assert folder.path == (files.PROJECT_DIR / "data" / "somewhere").resolve()
    message = str(files.missing_file_error(folder, "transactions"))
    assert message.startswith(
        "raw file for 'transactions' not found: expected data/somewhere/transactions.csv or "
        "data/somewhere/transactions.parquet"
    )


@pytest.mark.parametrize("chunk", [3, 7, 1 << 20])
def test_the_facts_of_a_file_and_of_its_loaded_prefix_in_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(files, "CHUNK_BYTES", chunk)
    path = tmp_path / "t.csv"
    prefix = b'a,b\n1,"x\ny"\n'
    path.write_bytes(prefix + b"2,z\n3,w")
    facts = file_facts(path, len(prefix))
    assert facts.whole.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (facts.whole.size, facts.whole.line_breaks, facts.whole.has_quote) == (len(prefix) + 7, 4, True)
    assert not facts.whole.ends_with_line_break
    assert facts.prefix is not None
    assert facts.prefix.checksum == hashlib.sha256(prefix).hexdigest()
    assert (facts.prefix.size, facts.prefix.line_breaks, facts.prefix.ends_with_line_break) == (len(prefix), 3, True)
    # a prefix longer than the file: it cannot be the loaded one
    assert file_facts(path, 1000).prefix is None


# --- what the manifest decides


def record(**changes: Any) -> manifest.LoadRecord:
    values: dict[str, Any] = {
        "entity": "transactions",
        "raw_dir": "raw",
        "raw_dir_path": "/r",
        "file_path": "/r/transactions.csv",
        "file_format": "csv",
        "load_mode": "full",
        "checksum": hashlib.sha256(b"h\n1\n").hexdigest(),
        "size_bytes": 4,
        "loaded_from_byte": 0,
        "rows_read": 1,
        "rejected_lines": 0,
        "rows_loaded": 1,
        "line_count": 2,
        "physical_line_count": 2,
        "appendable": True,
        "loaded_at": manifest.now(),
    }
    return manifest.LoadRecord(**(values | changes))


@pytest.mark.parametrize(
    ("content", "previous", "expected"),
    [
        (b"h\n1\n", None, LoadMode.FULL),
        (b"h\n1\n", record(), LoadMode.UNCHANGED),
        (b"h\n1\n2\n", record(), LoadMode.APPENDED),
        (b"h\n1\n2\n", record(appendable=False), LoadMode.FULL),
        (b"h\n9\n2\n", record(), LoadMode.FULL),  # the loaded line changed
        (b"h\n1", record(), LoadMode.FULL),  # shorter
        (b"h\n1\n", record(file_path="/elsewhere/transactions.csv"), LoadMode.FULL),
        (b"h\n1\n", record(file_format="parquet"), LoadMode.FULL),
    ],
    ids=["never loaded", "same bytes", "lines appended", "not appendable", "changed", "shorter", "moved", "format"],
)
def test_the_manifest_decides_how_a_file_is_loaded(
    tmp_path: Path, content: bytes, previous: manifest.LoadRecord | None, expected: LoadMode
) -> None:
    (tmp_path / "transactions.csv").write_bytes(content)
    folder = RawFolder("raw", Path("/r"))
    file = files.RawFile("transactions", Path("/r/transactions.csv"), "raw/transactions.csv", "csv")
    facts = file_facts(tmp_path / "transactions.csv", previous.size_bytes if previous else None)
    assert manifest.decide(folder, file, facts, previous) == expected


def test_an_optional_file_not_delivered_is_recorded_once_per_folder() -> None:
    folder = RawFolder("raw", Path("/r"))
    absent = record(load_mode="absent", file_path=None, file_format=None, checksum=None, size_bytes=None)
    assert manifest.decide(folder, None, None, None) == LoadMode.ABSENT
    assert manifest.decide(folder, None, None, record()) == LoadMode.ABSENT
    assert manifest.decide(folder, None, None, absent) == LoadMode.UNCHANGED
    assert manifest.decide(RawFolder("other", Path("/other")), None, None, absent) == LoadMode.ABSENT


# --- loading into DuckDB


LINES = [f"{n},{n % 3 + 1},2025-01-{n:02d},{n}.50,Grocery" for n in range(1, 6)]


def test_a_first_load_writes_every_entity_and_the_manifest(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw", [*LINES, "6,1,2025-01-06", "   "])
    database = tmp_path / "w.duckdb"
    modes = load(raw, database)
    assert modes == {
        "customers": LoadMode.FULL,
        "transactions": LoadMode.FULL,
        "products": LoadMode.ABSENT,
        "behavior_events": LoadMode.ABSENT,
        "customer_preferences": LoadMode.ABSENT,
        "suppressions": LoadMode.ABSENT,
        "campaign_deliveries": LoadMode.ABSENT,
    }
    assert rows(database, "select count(*) from raw.customers") == [(3,)]
    # the short line is a row with its line number, text and reason; the whitespace-only line is not a row
    assert rows(
        database, "select line_number, line_text, line_reject_reason from raw.transactions where line_number > 0"
    ) == [(7, "6,1,2025-01-06", "malformed line: fewer fields than the header's 5")]
    # an optional column the file lacks is null; an optional file not delivered is a table with no rows
    assert rows(database, "select count(*), count(product_id) from raw.transactions") == [(6, 0)]
    assert rows(database, "select count(*) from raw.products") == [(0,)]
    assert manifest_rows(database) == [("full", 0, 6, 1, 5)]


def test_an_unchanged_file_is_not_read_again_and_a_new_file_is_loaded_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = write_raw(tmp_path / "raw", LINES)
    database = tmp_path / "w.duckdb"
    load(raw, database)
    # the same bytes written again: a new modification time, the same content
    write_raw(raw, LINES)
    (raw / "products.csv").write_text("product_id,product_name,product_category,price\n1,Pen,Office,1.50\n")
    read: list[str] = []
    real_read = loader.read_csv_part

    def read_and_note(con: duckdb.DuckDBPyConnection, part: Any, *rest: Any) -> Any:
        read.append(part.shown)
        return real_read(con, part, *rest)

    monkeypatch.setattr(loader, "read_csv_part", read_and_note)
    modes = load(raw, database)
    assert modes["products"] == LoadMode.FULL
    assert {entity for entity, mode in modes.items() if mode != LoadMode.UNCHANGED} == {"products"}
    assert read == [f"{raw}/products.csv"]
    assert rows(database, "select product_name, price from raw.products") == [("Pen", "1.50")]
    assert rows(
        database, "select entity, load_mode from raw.load_manifest where entity = 'products' order by loaded_at"
    ) == [
        ("products", "absent"),
        ("products", "full"),
    ]


GROWN = [
    "7,1,2025-01-07,7.00,Gas",
    "8,1,2025-01-08",  # short
    "",
    '9,2,2025-01-09,9.00,"Air\nlines"',  # a quoted line break
    TRANSACTIONS_HEADER.upper(),  # a second export appended: a row staging rejects as a repeated header
    "10,2,2025-01-10,10.00,Gas,x,y",  # too many fields
]


@pytest.mark.parametrize(
    "loaded",
    [LINES, [*LINES[:2], '3,1,2025-01-03,3.50,"Hotels\n& Inns"', *LINES[3:], "4,1,2025-01-04"]],
    ids=["plain lines", "a quoted line break and a malformed line before"],
)
def test_a_grown_file_has_its_new_lines_alone_loaded_as_a_whole_reading_would(
    tmp_path: Path, loaded: list[str]
) -> None:
    raw = write_raw(tmp_path / "raw", loaded)
    database = tmp_path / "w.duckdb"
    load(raw, database)
    loaded_size = (raw / "transactions.csv").stat().st_size
    with (raw / "transactions.csv").open("a") as grown:
        grown.write("\n".join(GROWN) + "\n")
    assert load(raw, database)["transactions"] == LoadMode.APPENDED
    assert load(raw, database)["transactions"] == LoadMode.UNCHANGED

    whole = tmp_path / "whole.duckdb"
    assert load(raw, whole)["transactions"] == LoadMode.FULL
    assert raw_table(database) == raw_table(whole)
    # the reader numbers one line per record (a quoted line break inside one), the header being line 1
    first_new = len(loaded) + 2
    assert rows(
        database,
        "select line_number, line_reject_reason from raw.transactions where line_number >= "
        + str(first_new)
        + " order by 1",
    ) == [
        (first_new + 1, "malformed line: fewer fields than the header's 5"),
        (first_new + 5, "malformed line: more fields than the header's 5 (an unquoted comma in a value?)"),
    ]
    [first, appended] = manifest_rows(database)
    # 5 new rows read (the empty line is none), 2 of them malformed lines
    assert appended == ("appended", loaded_size, 5, 2, 3)
    assert first[0] == "full"


def test_a_warehouse_file_named_like_the_raw_schema_loads_and_grows(tmp_path: Path) -> None:
    # DuckDB names the catalog after the file: the loader must not write `raw.<table>`, which is then ambiguous
    raw = write_raw(tmp_path / "raw", LINES)
    database = tmp_path / "raw.duckdb"
    assert load(raw, database)["transactions"] == LoadMode.FULL
    with (raw / "transactions.csv").open("a") as grown:
        grown.write("6,1,2025-01-06,6.00,Gas\n")
    assert load(raw, database)["transactions"] == LoadMode.APPENDED
    assert rows(database, 'select count(*) from "raw"."raw".transactions') == [(6,)]
    assert rows(
        database,
        """select load_mode from "raw"."raw".load_manifest where entity = 'transactions' order by loaded_at""",
    ) == [("full",), ("appended",)]


def test_a_changed_file_is_loaded_afresh(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw", LINES)
    database = tmp_path / "w.duckdb"
    load(raw, database)
    write_raw(raw, [LINES[0].replace("1.50", "1.75"), *LINES[1:], "6,1,2025-01-06,6.00,Gas"])
    assert load(raw, database)["transactions"] == LoadMode.FULL
    assert rows(database, "select amount from raw.transactions where transaction_id = '1'") == [("1.75",)]
    assert rows(database, "select count(*) from raw.transactions") == [(6,)]


@pytest.mark.parametrize(
    ("loaded", "added"),
    [
        (TRANSACTIONS_HEADER + "\n" + LINES[0], "\n2,1,2025-01-02,2.00,Gas\n"),  # no line break at the end
        (TRANSACTIONS_HEADER + '\n1,1,2025-01-01,1.00,"Gas\n', '2,1,2025-01-02,2.00,Gas"\n3,1,2025-01-03,3.00,Gas\n'),
    ],
    ids=["a last line without its line break", "a quote never closed"],
)
def test_a_file_whose_loaded_part_did_not_end_cleanly_is_loaded_afresh_when_it_grows(
    tmp_path: Path, loaded: str, added: str
) -> None:
    raw = write_raw(tmp_path / "raw", [])
    (raw / "transactions.csv").write_text(loaded)
    database = tmp_path / "w.duckdb"
    load(raw, database)
    with (raw / "transactions.csv").open("a") as grown:
        grown.write(added)
    assert load(raw, database)["transactions"] == LoadMode.FULL
    whole = tmp_path / "whole.duckdb"
    load(raw, whole)
    assert raw_table(database) == raw_table(whole)


def test_a_full_refresh_reads_every_file_whole(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw", LINES)
    database = tmp_path / "w.duckdb"
    load(raw, database)
    modes = load(raw, database, full_refresh=True)
    assert modes["customers"] == modes["transactions"] == LoadMode.FULL
    assert modes["products"] == LoadMode.ABSENT
    assert rows(database, "select count(*) from raw.transactions") == [(5,)]


def test_a_file_that_stops_the_load_leaves_every_table_as_it_was(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw", LINES)
    database = tmp_path / "w.duckdb"
    load(raw, database)
    before = {entity: raw_table(database, entity) for entity in ("customers", "transactions")}
    (raw / "products.csv").write_text("product_id,product_name,product_category,price\n1,Pen,Office,1.50\n")
    (raw / "transactions.csv").write_text(TRANSACTIONS_HEADER.replace(",amount", "") + "\n1,1,2025-01-01,Gas\n")
    with pytest.raises(RawInputError, match=r"transactions\.csv is missing required column\(s\): amount"):
        load(raw, database)
    assert {entity: raw_table(database, entity) for entity in before} == before
    assert rows(database, "select count(*) from raw.products") == [(0,)]
    assert rows(database, "select count(*) from raw.load_manifest") == [(7,)]


def test_a_line_that_is_not_utf8_in_appended_lines_is_named_by_its_line_in_the_file(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw", LINES)
    database = tmp_path / "w.duckdb"
    load(raw, database)
    with (raw / "transactions.csv").open("ab") as grown:
        grown.write(b"6,1,2025-01-06,6.00,Gas\n7,1,2025-01-07,7.00,Caf\xe9\n")
    with pytest.raises(RawInputError) as stopped:
        load(raw, database)
    assert "transactions.csv is not UTF-8: line 8 is not valid UTF-8: 7,1,2025-01-07,7.00,Caf" in str(stopped.value)


def test_a_warehouse_built_before_the_loader_gets_tables_for_its_views(tmp_path: Path) -> None:
    """The raw-reading macros made raw.<entity> a view over the file and kept malformed lines beside it."""
    raw = write_raw(tmp_path / "raw", LINES)
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw")
        con.execute(f"create view raw.transactions as select * from read_csv('{raw}/transactions.csv')")
        con.execute("create table raw.transactions__malformed (line_number bigint)")
    load(raw, database)
    assert rows(database, "select table_type from information_schema.tables where table_name like 'transactions%'") == [
        ("BASE TABLE",)
    ]


# --- the target's settings, the Postgres text format and the command line


def test_the_target_is_read_from_profiles_yml_with_its_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUCKDB_PATH", "/tmp/elsewhere.duckdb")
    monkeypatch.setenv("PGPORT", "6543")
    monkeypatch.delenv("DBT_TARGET", raising=False)
    assert targets.read_target().name == "duckdb"
    assert targets.read_target().settings["path"] == "/tmp/elsewhere.duckdb"
    assert int(targets.read_target("postgres").settings["port"]) == 6543
    with pytest.raises(RawInputError, match="target 'nowhere' is not in"):
        targets.read_target("nowhere")


@pytest.mark.parametrize(
    ("value", "copy_text"),
    [
        (None, "\\N"),
        ("", ""),
        ("a\tb", "a\\tb"),
        ("line\nbreak\r", "line\\nbreak\\r"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_the_copy_text_format_keeps_nulls_apart_from_blanks(value: str | None, copy_text: str) -> None:
    assert copy_field(value) == copy_text


def test_the_command_reports_each_entity_and_a_stop_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = write_raw(tmp_path / "raw", [*LINES, "6,1"])
    database = tmp_path / "w.duckdb"
    assert cli.main(["--raw-dir", str(raw), "--database", str(database)]) == 0
    out = capsys.readouterr().out
    assert f"raw.transactions: 5 rows from {raw}/transactions.csv, and 1 malformed line(s) kept as rejects" in out
    assert "raw.products: not delivered (an optional file): no rows" in out
    assert cli.main(["--raw-dir", str(raw), "--database", str(database)]) == 0
    assert f"raw.customers: unchanged since it was loaded ({raw}/customers.csv)" in capsys.readouterr().out
    (raw / "customers.csv").unlink()
    assert cli.main(["--raw-dir", str(raw), "--database", str(database)]) == 1
    err = capsys.readouterr().err
    assert f"ingest: raw file for 'customers' not found: expected {raw}/customers.csv" in err
    assert "the raw tables are as they were" in err
    assert cli.default_raw_dir() == "data/raw"
