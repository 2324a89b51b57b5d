"""A build reads the definitions it is given, or none, and says which (segmentation/build_definitions.py): the
monthly cycle's options and log, the publication's record, the summary's line, and the tools that find the segments
file a published warehouse was built from (the preview, the dashboard's builder, the segment service)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import duckdb
import pytest

from dashboard import builder
from segmentation import build_definitions, run_month, summary
from segmentation.build_definitions import DefinitionFiles
from segmentation.publish import publish
from segmentation.segments import preview
from segmentation.service import cli as service_cli
from segmentation_tools.datagen.demo_campaigns import write_campaigns_file
from segmentation_tools.datagen.demo_segments import write_segments_file

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture()
def working(tmp_path: Path) -> Path:
    """The least a working file needs to be published: a customer_segments mart."""
    path = tmp_path / "working.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table customer_segments as select date '2025-06-30' as as_of_date")
    return path


def published_with(working: Path, definitions: DefinitionFiles | None) -> Path:
    path = working.parent / "published" / "warehouse.duckdb"
    publish(working, path, definitions)
    return path


def test_the_publication_records_the_files_the_build_read(working: Path, tmp_path: Path) -> None:
    files = DefinitionFiles(tmp_path / "mine" / "segments.yml", tmp_path / "mine" / "campaigns.yml")
    assert build_definitions.recorded(published_with(working, files)) == files


def test_a_build_given_no_files_is_recorded_as_having_read_none(working: Path) -> None:
    published = published_with(working, None)
    assert build_definitions.recorded(published) == DefinitionFiles(None, None)
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select segments_file, campaigns_file from publication").fetchall() == [(None, None)]


def test_a_working_file_records_nothing(working: Path) -> None:
    assert build_definitions.recorded(working) is None


def test_a_relative_file_is_the_project_s_and_an_empty_one_is_none() -> None:
    project = Path("/srv/project")
    files = DefinitionFiles.from_vars({"segments_file": "marketing/s.yml", "campaigns_file": ""}, project)
    assert files == DefinitionFiles(project / "marketing" / "s.yml", None)
    assert DefinitionFiles.from_vars({"segments_file": "/abs/s.yml"}, project).segments == Path("/abs/s.yml")
    assert DefinitionFiles.from_vars(None) == DefinitionFiles()
    assert files.publish_arguments() == ["--segments-file", "/srv/project/marketing/s.yml"]


def test_the_cycle_takes_the_files_as_options_and_publishes_their_record(tmp_path: Path) -> None:
    args = run_month.parse_args(["--segments-file", "my/segments.yml", "--campaigns-file", "/abs/campaigns.yml"])
    assert args.vars == {"segments_file": "my/segments.yml", "campaigns_file": "/abs/campaigns.yml"}
    steps = dict(
        run_month.cycle_commands(
            AS_OF, 0, "data/raw", tmp_path / "w.duckdb", tmp_path / "p.duckdb", extra_vars=args.vars
        )
    )
    build, publish_step = steps["dbt build"], steps["publish"]
    assert json.loads(build[3])["segments_file"] == "my/segments.yml"
    assert publish_step[-4:] == [
        "--segments-file",
        str(run_month.PROJECT_DIR / "my" / "segments.yml"),
        "--campaigns-file",
        "/abs/campaigns.yml",
    ]
    plain_publish = dict(run_month.cycle_commands(AS_OF, 0, "data/raw", tmp_path / "w", tmp_path / "p"))["publish"]
    assert "--segments-file" not in plain_publish and "--campaigns-file" not in plain_publish
    # the same file named twice is one file; two different ones are refused
    assert run_month.parse_args(["--segments-file", "a.yml", "--vars", "{segments_file: a.yml}"]).vars == {
        "segments_file": "a.yml"
    }
    with pytest.raises(SystemExit):
        run_month.parse_args(["--segments-file", "a.yml", "--vars", "{segments_file: b.yml}"])


def test_the_cycle_s_log_names_the_files_it_read_or_none(tmp_path: Path) -> None:
    log = io.StringIO()
    segments = write_segments_file(tmp_path)
    campaigns = write_campaigns_file(tmp_path, AS_OF)
    assert run_month.segments_are_valid(None, tmp_path / "p", log)
    assert run_month.campaigns_are_valid(None, None, tmp_path / "p", log)
    assert run_month.segments_are_valid(str(segments), tmp_path / "p", log)
    assert run_month.campaigns_are_valid(str(campaigns), str(segments), tmp_path / "p", log)
    said = [line.split(" ", 1)[1] for line in log.getvalue().splitlines()]
    assert said == [
        "--- segments: no user-defined segments (segments_file not given)",
        "--- campaigns: no campaigns (campaigns_file not given)",
        f"--- segments: 5 user-defined segment(s) from {segments}, valid",
        f"--- campaigns: 5 campaign(s) from {campaigns}, valid",
    ]


def test_a_file_named_that_does_not_exist_stops_the_cycle(tmp_path: Path) -> None:
    log = io.StringIO()
    assert not run_month.segments_are_valid(str(tmp_path / "missing.yml"), tmp_path / "p", log)
    assert f"{tmp_path / 'missing.yml'}" in log.getvalue() and "cannot read the file" in log.getvalue()


def test_the_summary_says_which_definitions_the_build_read(working: Path, tmp_path: Path) -> None:
    assert summary.format_definitions(None) == ""
    none = summary.read_definitions(published_with(working, None))
    assert summary.format_definitions(none) == (
        "definitions: no user-defined segments (segments_file not given); no campaigns (campaigns_file not given)"
    )
    segments = tmp_path / "s.yml"
    read = summary.DefinitionsRead(DefinitionFiles(segments, None), user_segments=2, campaigns=0)
    assert summary.format_definitions(read) == (
        f"definitions: 2 user-defined segment(s) from {segments}; no campaigns (campaigns_file not given)"
    )


def test_the_preview_reads_the_recorded_file_and_asks_for_one_where_none_is(
    working: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = published_with(working, None)
    assert preview.main(["--database", str(published)]) == 2
    said = capsys.readouterr().err
    assert "records no segments file its build read" in said and "name one with --file" in said
    segments = write_segments_file(tmp_path / "defs")
    assert preview.built_from(published_with(working, DefinitionFiles(segments, None))) == segments


def test_the_builder_saves_to_the_recorded_file_unless_told_another(
    working: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(builder.SEGMENTS_FILE_VARIABLE, raising=False)
    segments = tmp_path / "defs" / "segments.yml"
    published = published_with(working, DefinitionFiles(segments, None))
    assert builder.segments_file(published) == segments
    assert builder.segments_file(tmp_path / "no-such.duckdb") is None
    assert builder.segments_file(published_with(working, None)) is None
    monkeypatch.setenv(builder.SEGMENTS_FILE_VARIABLE, str(tmp_path / "other.yml"))
    assert builder.segments_file(published) == tmp_path / "other.yml"


def test_without_a_file_the_builder_checks_the_entry_on_its_own() -> None:
    entry = builder.definition(builder.Form(slug="recent", name="Recent", recency_days=7))
    assert builder.check(entry, None, None).segment.segment_id == "dynamic/recent"


def test_the_service_edits_the_recorded_file_and_refreshes_with_the_recorded_campaigns(
    working: Path, tmp_path: Path
) -> None:
    files = DefinitionFiles(tmp_path / "segments.yml", tmp_path / "campaigns.yml")
    published = published_with(working, files)
    assert service_cli.definitions_files(published, None) == files
    named = tmp_path / "elsewhere.yml"
    assert service_cli.definitions_files(published, named) == DefinitionFiles(named, files.campaigns)
    bare = published_with(working, None)
    with pytest.raises(service_cli.NoDefinitionsFile, match="make serve SEGMENTS_FILE="):
        service_cli.definitions_files(bare, None)
    assert service_cli.definitions_files(bare, named) == DefinitionFiles(named, None)
