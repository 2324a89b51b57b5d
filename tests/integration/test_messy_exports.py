"""docs/rules/raw-input.md, "Real exports are messy": each fault a real export has, in a small hand-made export of its
own
(10 customers, 60 transactions), either loads without losing a line (raw lines = clean + rejected + duplicates,
counted here from the file itself) or stops the loader, before dbt runs any model, with a message naming the file and
what to do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from integration.harness import DbtRun, Warehouse, assert_succeeded

A = dt.date(2025, 10, 31)
CUSTOMERS_HEADER = (
    "customer_id,first_name,last_name,email,phone,date_of_birth,gender,city,state,country,"
    "postal_code,signup_date,account_status"
)
TRANSACTIONS_HEADER = "transaction_id,customer_id,transaction_date,amount,merchant_category"
CUSTOMERS = 10
TRANSACTIONS = 60


def customer_lines() -> list[str]:
    return [
        f"{cid},First{cid},Last{cid},c{cid}@example.com,,1980-01-0{cid % 9 + 1},Female,Springfield,IL,USA,62701,"
        "2024-01-15,active"
        for cid in range(1, CUSTOMERS + 1)
    ]


def transaction_lines() -> list[str]:
    """60 clean transactions of the 10 customers, over the 90 days before A."""
    return [
        f"{n},{n % CUSTOMERS + 1},{A - dt.timedelta(days=n)},{20 + n}.50,{('Grocery', 'Travel', 'Gas')[n % 3]}"
        for n in range(1, TRANSACTIONS + 1)
    ]


def write(path: Path, header: str, lines: list[str], newline: str = "\n", encoding: str = "utf-8") -> None:
    path.write_bytes((newline.join([header, *lines]) + newline).encode(encoding))


def export(
    tmp_path: Path, transactions: list[str] | None = None, customers: list[str] | None = None, **options: str
) -> Warehouse:
    """A raw folder with the hand-made export, `transactions` or `customers` replacing the clean lines."""
    raw = tmp_path / "raw"
    raw.mkdir(parents=True)
    write(raw / "customers.csv", CUSTOMERS_HEADER, customers if customers is not None else customer_lines())
    write(raw / "transactions.csv", TRANSACTIONS_HEADER, transactions or transaction_lines(), **options)
    return Warehouse(raw, tmp_path / "warehouse.duckdb", tmp_path)


# What loading decides: staging, the reject and data-quality marts, dim_customer, and the tests on them (the
# reconciliation and the gates among them). The segment, history and analytics models downstream are not rebuilt.
LOADING = "+rejected_rows +data_quality_report +dim_customer +assert_raw_rows_reconcile"


def build(warehouse: Warehouse, label: str, max_reject_share: float | None = None) -> DbtRun:
    """`max_reject_share` opens the reject gate (which has tests of its own) for a fault that rejects a customer:
    one customer line in 11 is over 5 %, and so are the transactions of the customer it held."""
    variables = {} if max_reject_share is None else {"max_reject_share": max_reject_share}
    return warehouse.dbt(
        "build", "--select", LOADING, as_of=A, label=f"dbt build, messy export: {label}", variables=variables
    )


def assert_loaded(run: DbtRun) -> None:
    """The build succeeded, and the reconciliation test was among what it ran."""
    assert_succeeded(run)
    assert run.statuses().get("test.segmentation.assert_raw_rows_reconcile") == "pass"


def data_lines(path: Path) -> int:
    """The file's lines after the header that are not empty or whitespace-only: what must all be accounted for."""
    return sum(1 for line in path.read_bytes().decode("utf-8").splitlines()[1:] if line.strip())


def accounted(warehouse: Warehouse, entity: str) -> int:
    """clean + rejected + duplicates, from the data-quality report readers see."""
    rows = warehouse.query(
        "select sum(row_count) from data_quality_report "
        f"where entity = '{entity}' and measure in ('clean_rows', 'rejected_rows', 'duplicate_rows')"
    )
    return int(rows[0][0])


def line_rejects(warehouse: Warehouse, entity: str = "transactions") -> list[tuple[int, str, str | None]]:
    return warehouse.query(
        "select line_number, reject_reason, line_text from rejected_rows "
        f"where entity = '{entity}' and line_number is not null order by line_number"
    )


def assert_stopped_before_models(run: DbtRun, warehouse: Warehouse, *phrases: str) -> None:
    """The loader stopped, so no model ran, with every phrase in its message."""
    assert run.returncode != 0
    for phrase in phrases:
        assert phrase in run.output, run.output[-3000:]
    assert not [result for result in run.results if result["unique_id"].startswith("model.")]
    if warehouse.database.exists():
        with duckdb.connect(str(warehouse.database), read_only=True) as con:
            assert con.sql(
                "select count(*) from information_schema.tables where table_name = 'customer_segments'"
            ).fetchall() == [(0,)]


def test_date_times_count_as_their_date_part(tmp_path: Path) -> None:
    lines = transaction_lines()
    # File lines are numbered from 1 (the header), so transaction n is on line n + 1.
    stamped = {
        1: "2025-10-30 00:00:00",
        2: "2025-10-29T14:30:00",
        3: "2025-10-28T23:59:59Z",
        4: "2025-10-27T01:00:00+02:00",
        5: "2025-10-26 08:15:00.123",
        6: "2025-10-25 25:00:00",  # not a time of day: rejected
    }
    for n, stamp in stamped.items():
        lines[n - 1] = f"{n},{n % CUSTOMERS + 1},{stamp},{20 + n}.50,Grocery"
    customers = customer_lines()
    customers[0] = customers[0].replace("2024-01-15", "2024-01-15T09:00:00")
    warehouse = export(tmp_path, lines, customers)
    assert_loaded(build(warehouse, "date-times"))
    staged = dict(warehouse.query("select transaction_id, transaction_date from staging.stg_transactions"))
    for n, stamp in stamped.items():
        if n == 6:
            assert n not in staged
        else:
            assert staged[n] == dt.date.fromisoformat(stamp[:10])
    assert warehouse.query("select reject_reason from rejected_rows where transaction_id = '6'") == [
        ("transaction_date is not an ISO date",)
    ]
    assert warehouse.query("select signup_date from dim_customer where customer_id = 1") == [(dt.date(2024, 1, 15),)]
    assert accounted(warehouse, "transactions") == data_lines(warehouse.raw_dir / "transactions.csv")


def test_a_short_row_is_a_reject_with_its_line_number_and_text(tmp_path: Path) -> None:
    lines = transaction_lines()
    lines[9] = "10,1,2025-10-21,30.50"  # line 11: the category field is missing
    warehouse = export(tmp_path, lines)
    assert_loaded(build(warehouse, "short row"))
    assert line_rejects(warehouse) == [(11, "malformed line: fewer fields than the header's 5", lines[9])]
    assert accounted(warehouse, "transactions") == data_lines(warehouse.raw_dir / "transactions.csv") == TRANSACTIONS


def test_an_unquoted_thousands_separator_is_a_reject_and_the_rest_loads(tmp_path: Path) -> None:
    lines = transaction_lines()
    lines[19] = "20,1,2025-10-11,6,200.00,Travel"  # line 21
    lines[20] = '21,2,2025-10-10,"6,200.00",Travel'  # quoted: one field, but not a decimal with '.' alone
    warehouse = export(tmp_path, lines)
    assert_loaded(build(warehouse, "thousands separator"))
    assert line_rejects(warehouse) == [
        (21, "malformed line: more fields than the header's 5 (an unquoted comma in a value?)", lines[19])
    ]
    assert warehouse.query("select reject_reason, amount from rejected_rows where transaction_id = '21'") == [
        ("amount is not a decimal number", "6,200.00")
    ]
    assert warehouse.query("select count(*) from staging.stg_transactions") == [(TRANSACTIONS - 2,)]
    assert accounted(warehouse, "transactions") == TRANSACTIONS


def test_whitespace_only_and_empty_lines_are_not_rows(tmp_path: Path) -> None:
    lines = transaction_lines()
    lines[5:5] = ["   ", "", "\t"]
    warehouse = export(tmp_path, lines)
    assert_loaded(build(warehouse, "whitespace-only lines"))
    assert line_rejects(warehouse) == []
    assert warehouse.query("select count(*) from staging.stg_transactions") == [(TRANSACTIONS,)]
    assert accounted(warehouse, "transactions") == TRANSACTIONS


def test_an_unclosed_quote_rejects_the_lines_it_swallows_and_nothing_after(tmp_path: Path) -> None:
    lines = transaction_lines()
    lines[29] = '30,1,2025-10-01,50.50,"Grocery'  # line 31: the quote is never closed ...
    lines[30] = '31,2,2025-09-30,51.50,Gas"x'  # line 32: ... until this quote, which ends no field
    warehouse = export(tmp_path, lines)
    assert_loaded(build(warehouse, "unclosed quote"))
    assert line_rejects(warehouse) == [
        (31, "malformed line: a quote opened on it is never closed", lines[29]),
        (32, "malformed line: inside the unclosed quote opened on line 31", lines[30]),
    ]
    # every line after the swallowed ones loads: DuckDB's parallel reader alone would stop at line 31
    staged = {row[0] for row in warehouse.query("select transaction_id from staging.stg_transactions")}
    assert staged == set(range(1, TRANSACTIONS + 1)) - {30, 31}
    assert accounted(warehouse, "transactions") == TRANSACTIONS


def test_a_repeated_header_line_is_a_reject_with_its_own_reason(tmp_path: Path) -> None:
    lines = transaction_lines()
    lines[30:30] = [TRANSACTIONS_HEADER.upper()]  # a second export appended to the first
    customers = customer_lines()
    customers[5:5] = [CUSTOMERS_HEADER]
    warehouse = export(tmp_path, lines, customers)
    assert_loaded(build(warehouse, "repeated header", max_reject_share=0.1))
    assert warehouse.query(
        "select entity, count(*) from rejected_rows where reject_reason = 'a repeated header line' "
        "group by 1 order by 1"
    ) == [("customers", 1), ("transactions", 1)]
    assert warehouse.query("select count(*) from staging.stg_transactions") == [(TRANSACTIONS,)]
    assert accounted(warehouse, "transactions") == TRANSACTIONS + 1
    assert accounted(warehouse, "customers") == CUSTOMERS + 1


def test_bom_crlf_and_an_upper_case_padded_header_load(tmp_path: Path) -> None:
    warehouse = export(tmp_path)
    header = " " + TRANSACTIONS_HEADER.upper().replace(",", " , ") + " "
    (warehouse.raw_dir / "transactions.csv").write_bytes(
        b"\xef\xbb\xbf" + ("\r\n".join([header, *transaction_lines()]) + "\r\n").encode()
    )
    assert_loaded(build(warehouse, "BOM, CRLF, upper-case header"))
    assert warehouse.query("select count(*), max(merchant_category) from staging.stg_transactions") == [
        (TRANSACTIONS, "Travel")
    ]


def test_a_customer_line_with_too_many_fields_keeps_its_text_out_of_the_published_rejects(tmp_path: Path) -> None:
    customers = customer_lines()
    customers[2] = customers[2].replace("Springfield", "Springfield, Illinois")  # line 4
    warehouse = export(tmp_path, customers=customers)
    assert_loaded(build(warehouse, "customer line with a comma", max_reject_share=0.2))
    assert line_rejects(warehouse, "customers") == [
        (4, "malformed line: more fields than the header's 13 (an unquoted comma in a value?)", None)
    ]
    # the working file keeps the line, with its names and email, for whoever fixes the export
    assert warehouse.query("select line_number, line_text from staging.stg_customers__rejected") == [(4, customers[2])]
    assert accounted(warehouse, "customers") == CUSTOMERS


@pytest.mark.parametrize(
    ("delimiter", "name"), [(";", "a semicolon (;)"), ("\t", "a tab (\\t)"), ("|", "a vertical bar (|)")]
)
def test_another_delimiter_stops_the_build_naming_it(tmp_path: Path, delimiter: str, name: str) -> None:
    warehouse = export(tmp_path)
    lines = [line.replace(",", delimiter) for line in transaction_lines()]
    write(warehouse.raw_dir / "transactions.csv", TRANSACTIONS_HEADER.replace(",", delimiter), lines)
    run = build(warehouse, f"delimiter {name}")
    assert_stopped_before_models(
        run, warehouse, "transactions.csv seems to use " + name + " as its delimiter", "Export the file comma-separated"
    )


def test_a_missing_column_lists_what_the_header_has(tmp_path: Path) -> None:
    warehouse = export(tmp_path)
    header = TRANSACTIONS_HEADER.replace("amount", "amt")
    write(warehouse.raw_dir / "transactions.csv", header, transaction_lines())
    run = build(warehouse, "missing column")
    assert_stopped_before_models(
        run,
        warehouse,
        "transactions.csv is missing required column(s): amount",
        "the header has: " + header.replace(",", ", "),
    )


def test_a_latin_1_file_stops_naming_the_line_and_how_to_convert(tmp_path: Path) -> None:
    lines = transaction_lines()
    lines[2] = "3,4,2025-10-28,23.50,Caf\u00e9"  # line 4, written as Latin-1 below
    lines[0] = '1,2,2025-10-30,21.50,"Air\nlines"'  # a quoted line break before it: lines 2 and 3
    warehouse = export(tmp_path, lines, encoding="latin-1")
    run = build(warehouse, "Latin-1")
    assert_stopped_before_models(
        run,
        warehouse,
        "transactions.csv is not UTF-8: line 5 is not valid UTF-8: 3,4,2025-10-28,23.50,Caf",
        "iconv -f latin1 -t utf-8",
    )


def test_an_empty_file_and_a_header_alone_stop_the_build(tmp_path: Path) -> None:
    empty = export(tmp_path / "empty")
    (empty.raw_dir / "transactions.csv").write_bytes(b"")
    assert_stopped_before_models(build(empty, "empty file"), empty, "transactions.csv has no data rows (it is empty")
    header_only = export(tmp_path / "header")
    (header_only.raw_dir / "transactions.csv").write_text(TRANSACTIONS_HEADER + "\n\n")
    assert_stopped_before_models(build(header_only, "header alone"), header_only, "transactions.csv has no data rows")


def test_parquet_timestamps_count_as_their_date_part(tmp_path: Path) -> None:
    warehouse = export(tmp_path)
    csv_path = warehouse.raw_dir / "transactions.csv"
    with duckdb.connect() as con:
        con.sql(
            f"copy (select transaction_id, customer_id, cast(transaction_date as timestamp) + interval 13 hour"
            f" as transaction_date, amount, merchant_category from read_csv('{csv_path}', all_varchar = true))"
            f" to '{warehouse.raw_dir / 'transactions.parquet'}' (format parquet)"
        )
    csv_path.unlink()
    assert_loaded(build(warehouse, "Parquet timestamps"))
    assert warehouse.query(
        "select min(transaction_date), max(transaction_date), count(*) from staging.stg_transactions"
    ) == [(A - dt.timedelta(days=TRANSACTIONS), A - dt.timedelta(days=1), TRANSACTIONS)]
