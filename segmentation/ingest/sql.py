"""Names and texts as DuckDB, Postgres and Spark SQL take them: a file path or a user's header never reaches SQL
unescaped."""

from __future__ import annotations


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
