import json
from pathlib import Path

import pytest

from segmentation.segments import DefinitionErrors
from segmentation_tools.datagen.demo_campaigns import demo_campaigns, write_campaigns_file
from segmentation_tools.datagen.demo_segments import write_segments_file
from segmentation_tools.engines import portability


def test_node_results_are_recognised_in_dbt_output_and_starts_are_not() -> None:
    finished = (
        "\x1b[0m06:13:59  12 of 161 OK created sql table model main.customer_segments .... [\x1b[32mOK\x1b[0m in 0.52s]"
    )
    started = "\x1b[0m06:13:59  13 of 161 START test not_null_customer_segments_customer_id ....... [RUN]"
    match = portability.NODE_DONE.search(finished)
    assert match and (match.group(1), match.group(2)) == ("12", "161")
    assert portability.NODE_DONE.search(started) is None
    assert portability.NODE_DONE.search("  7 of 117 ERROR creating sql view model main.x") is not None


def test_results_count_warnings_as_passed_and_name_the_rest(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    results = [
        {"unique_id": "model.a", "status": "success"},
        {"unique_id": "test.b", "status": "warn"},
        {"unique_id": "test.c", "status": "fail"},
        {"unique_id": "model.d", "status": "skipped"},
        {"unique_id": "exposure.e", "status": "no-op"},
    ]
    (tmp_path / "target" / "run_results.json").write_text(json.dumps({"results": results}))
    assert portability.read_results(tmp_path) == (3, ["test.c: fail", "model.d: skipped"])


def test_no_results_file_means_dbt_stopped_before_any_node(tmp_path: Path) -> None:
    passed, failed = portability.read_results(tmp_path)
    assert passed == 0 and "no run_results.json" in failed[0]


def test_every_mart_is_compared_between_engines() -> None:
    marts = {path.stem for path in (portability.PROJECT_DIR / "models" / "marts").rglob("*.sql")}
    assert marts == {*portability.HISTORY_MARTS, *portability.SNAPSHOT_MARTS, *portability.DUCKDB_ONLY_MARTS}


def test_engines_without_python_models_are_told_each_campaign_s_channel(tmp_path: Path) -> None:
    """Postgres and Spark cannot read the campaigns file (a dbt Python model does on DuckDB): the check passes the
    channels, as the sample's file has them, for segment_daily_performance's email rates; DuckDB gets the files."""
    path = write_campaigns_file(tmp_path, portability.SAMPLE.as_of)
    segments = write_segments_file(tmp_path)
    expected = {campaign.campaign_id: campaign.channel for campaign in demo_campaigns(portability.SAMPLE.as_of)}
    assert {"email", "sms"} <= set(expected.values())
    assert portability.definitions_variables("duckdb", tmp_path) == {
        "campaigns_file": str(path),
        "segments_file": str(segments),
    }
    for target in ("postgres", "spark"):
        assert portability.definitions_variables(target, tmp_path) == {"campaign_channels": expected}
        arguments = portability.dbt_arguments(target, Path("/w"), tmp_path, portability.SAMPLE.as_of, 12)
        assert json.loads(arguments[arguments.index("--vars") + 1])["campaign_channels"] == expected


@pytest.mark.parametrize("target", ["postgres", "spark"])
def test_a_lifetime_value_key_stops_an_engine_without_those_models(tmp_path: Path, target: str) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "segments.yml").write_text(
        "segments:\n  - id: at_risk\n    type: dynamic\n    criteria: {churn_probability: {gte: 0.5}}\n"
    )
    assert portability.definitions_variables("duckdb", raw, tmp_path) == {
        "campaigns_file": str(raw / "campaigns.yml"),
        "segments_file": str(raw / "segments.yml"),
    }
    with pytest.raises(DefinitionErrors, match=f"segment 'at_risk', key 'criteria.churn_probability': .*, {target} "):
        portability.definitions_variables(target, raw, tmp_path)
