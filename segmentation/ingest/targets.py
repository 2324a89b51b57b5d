"""The target to load into, from the same profiles.yml dbt reads, so the loader and dbt always meet in one place.

The profile is rendered as dbt renders it (`env_var` with its default, `as_number`), so `DUCKDB_PATH`, the `PG*`
variables and `SPARK_WAREHOUSE_DIR` mean the same to both.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from segmentation.ingest.duckdb_writer import DuckDBWriter
from segmentation.ingest.errors import RawInputError
from segmentation.ingest.writer import Writer
from segmentation.project import PROJECT_DIR

PROFILE = "segmentation"  # dbt_project.yml's `profile`


@dataclass(frozen=True)
class Target:
    name: str
    settings: Mapping[str, Any]

    @property
    def type(self) -> str:
        return str(self.settings.get("type"))


def profiles_file(environ: Mapping[str, str] = os.environ) -> Path:
    """Where dbt finds profiles.yml: $DBT_PROFILES_DIR, else the project's own, else ~/.dbt."""
    candidates = [Path(environ["DBT_PROFILES_DIR"])] if environ.get("DBT_PROFILES_DIR") else []
    candidates += [PROJECT_DIR, Path.home() / ".dbt"]
    return next((folder / "profiles.yml" for folder in candidates if (folder / "profiles.yml").exists()), candidates[0])


def _env_var(name: str, default: str | None = None) -> str:
    if name in os.environ:
        return os.environ[name]
    if default is None:
        raise RawInputError(f"profiles.yml needs the environment variable {name}")
    return default


def read_target(name: str | None = None, environ: Mapping[str, str] = os.environ) -> Target:
    """The named output of the profile (default: $DBT_TARGET, else the profile's own target), rendered."""
    path = profiles_file(environ)
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.filters["as_number"] = lambda value: float(value) if "." in str(value) else int(value)
    environment.filters["as_bool"] = lambda value: str(value).lower() in ("true", "1", "yes")
    rendered = environment.from_string(path.read_text()).render(env_var=_env_var)
    profile: dict[str, Any] = (yaml.safe_load(rendered) or {}).get(PROFILE) or {}
    chosen = name or environ.get("DBT_TARGET") or profile.get("target")
    outputs: dict[str, Any] = profile.get("outputs") or {}
    if chosen not in outputs:
        raise RawInputError(f"target '{chosen}' is not in {path} (its targets: {', '.join(outputs)})")
    return Target(str(chosen), outputs[chosen])


def duckdb_path(target: Target, database: Path | None) -> Path:
    """The warehouse file: `database` when given, else the target's path (DUCKDB_PATH), taken from the current
    folder as dbt takes it."""
    return database if database is not None else Path(str(target.settings["path"]))


def open_writer(target: Target, scratch: Path, database: Path | None = None) -> Writer:
    """A writer into the target's raw schema. `scratch` holds what DuckDB reads into for a target other than DuckDB."""
    if target.type == "duckdb":
        settings = {key: str(value) for key, value in (target.settings.get("settings") or {}).items()}
        return DuckDBWriter(duckdb_path(target, database), settings)
    if target.type == "postgres":
        from segmentation.ingest.postgres_writer import PostgresWriter

        return PostgresWriter(postgres_connection(target), scratch)
    if target.type == "spark":
        from segmentation.ingest.spark_writer import SparkWriter

        return SparkWriter(spark_session(target), scratch)
    raise RawInputError(f"the loader writes to DuckDB, Postgres and Spark; target '{target.name}' is {target.type}")


def postgres_connection(target: Target) -> Any:
    """A psycopg2 connection with the target's settings (psycopg2, of the engines' extra, has no type hints)."""
    import psycopg2

    settings = target.settings
    return psycopg2.connect(
        host=settings.get("host"),
        port=int(settings.get("port", 5432)),
        user=settings.get("user"),
        password=settings.get("password") or settings.get("pass") or "",
        dbname=settings.get("dbname") or settings.get("database"),
    )


def spark_session(target: Target) -> Any:
    """The session dbt-spark's `session` method makes from the same settings; the running one when there is one."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in (target.settings.get("server_side_parameters") or {}).items():
        builder = builder.config(key, str(value))
    return builder.getOrCreate()
