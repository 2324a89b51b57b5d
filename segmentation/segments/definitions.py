"""Reading segments.yml (and the CSV files of ids it names) and validating every definition.

Every problem is reported as a DefinitionError naming the file, the segment and the key (a path
such as `criteria.any[1].total_orders.operator`), and all of a file's problems are reported at
once. The build (models/intermediate/int_user_segments_compiled.py), the monthly cycle and the
preview command all validate through `load_segments`, so they report the same errors.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from segmentation.segments import fields as f
from segmentation.segments.rules import (
    Compare,
    CustomerIds,
    Group,
    Inactive,
    InSegment,
    ListHasAny,
    Not,
    Rule,
    Segment,
    TextIn,
    Value,
    WithinLastDays,
)

SEGMENT_TYPES = ("static", "dynamic")
STATUSES = ("active", "draft", "archived")
SEGMENT_KEYS = ("id", "name", "description", "type", "status", "criteria", "customer_ids", "customer_ids_file")
SLUG = re.compile(r"[a-z][a-z0-9_]{0,62}")
# Numbers beyond this are refused rather than rendered: no column holds one.
NUMBER_LIMIT = 10**18


@dataclass(frozen=True)
class DefinitionError:
    file: str
    segment: str
    key: str
    message: str

    def __str__(self) -> str:
        where = [f"segment '{self.segment}'"] if self.segment else []
        where += [f"key '{self.key}'"] if self.key else []
        return f"{self.file}: {', '.join(where)}{': ' if where else ''}{self.message}"


class DefinitionErrors(Exception):
    """One or more definitions are invalid; str() lists every error, one a line."""

    def __init__(self, errors: list[DefinitionError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


class _Invalid(Exception):
    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.message = message


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML mapping that names one key twice would silently drop a criterion: refuse it."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key '{key}' appears twice in one mapping", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_segments(
    path: Path, builtin_ids: Iterable[str] | None = None, engine: str = f.DEFAULT_ENGINE
) -> list[Segment]:
    """Every segment of the file, validated. `builtin_ids`: the built-in catalog's segment ids that
    in_segment may name; None when they are not known (before a build), then any id whose type is
    not static/dynamic is accepted and the build checks it. `engine`: the dbt adapter type the
    segments are built on, which decides whether the lifetime-value columns exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DefinitionErrors(
            [DefinitionError(str(path), "", "", f"cannot read the file: {error.strerror}")]
        ) from None
    return load_segments_text(text, path, builtin_ids, engine)


def load_segments_text(
    text: str, path: Path, builtin_ids: Iterable[str] | None = None, engine: str = f.DEFAULT_ENGINE
) -> list[Segment]:
    """`load_segments` on `text` as if it were the content of `path` (the dashboard's builder checks the file it
    would save, before saving it): the same errors, naming `path`."""
    name = str(path)
    try:
        document = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise DefinitionErrors([DefinitionError(name, "", "", f"not valid YAML: {error}")]) from None
    return validate_document(document, name, path.parent, builtin_ids, engine)


def validate_document(
    document: Any,
    file: str,
    base_dir: Path,
    builtin_ids: Iterable[str] | None = None,
    engine: str = f.DEFAULT_ENGINE,
) -> list[Segment]:
    """Validate a parsed segments.yml; CSV files of ids are read relative to `base_dir`."""
    if document is None:
        return []
    if not isinstance(document, Mapping) or set(document) - {"segments"}:
        extra = sorted(set(document) - {"segments"}) if isinstance(document, Mapping) else []
        key = str(extra[0]) if extra else ""
        message = f"unknown key '{key}' (expected: segments)" if extra else "must be a mapping with a `segments` list"
        raise DefinitionErrors([DefinitionError(file, "", key, message)])
    entries = document.get("segments") or []
    if not isinstance(entries, list):
        raise DefinitionErrors([DefinitionError(file, "", "segments", "must be a list of segments")])

    errors: list[DefinitionError] = []
    raw: dict[str, tuple[str, Mapping[str, Any]]] = {}  # slug -> (type, entry)
    for index, entry in enumerate(entries):
        label = f"#{index + 1}"
        if not isinstance(entry, Mapping):
            errors.append(DefinitionError(file, label, "", "must be a mapping (id, name, type, ...)"))
            continue
        slug = entry.get("id")
        if not isinstance(slug, str) or not SLUG.fullmatch(slug):
            errors.append(
                DefinitionError(
                    file, label, "id", f"must be lower-case letters, digits and _ starting with a letter, got {slug!r}"
                )
            )
            continue
        if slug in raw:
            errors.append(DefinitionError(file, slug, "id", f"duplicate id '{slug}' (segment {label})"))
            continue
        segment_type = entry.get("type")
        if segment_type not in SEGMENT_TYPES:
            errors.append(DefinitionError(file, slug, "type", f"must be one of static, dynamic, got {segment_type!r}"))
            continue
        raw[slug] = (str(segment_type), entry)

    user_ids = {f"{segment_type}/{slug}": slug for slug, (segment_type, _) in raw.items()}
    known_builtin = set(builtin_ids) if builtin_ids is not None else None
    segments: list[Segment] = []
    references: dict[str, dict[str, str]] = {}
    for slug, (segment_type, entry) in raw.items():
        context = _Context(user_ids, known_builtin, base_dir, engine)
        try:
            segments.append(_segment(slug, segment_type, entry, context))
            references[f"{segment_type}/{slug}"] = context.references
        except _Invalid as invalid:
            errors.append(DefinitionError(file, slug, invalid.key, invalid.message))
    errors.extend(DefinitionError(file, user_ids[start], key, message) for start, key, message in _cycles(references))
    if errors:
        raise DefinitionErrors(errors)
    return segments


class _Context:
    """What validating one segment needs: the ids it may name, and those it did name."""

    def __init__(self, user_ids: Mapping[str, str], builtin_ids: set[str] | None, base_dir: Path, engine: str) -> None:
        self.user_ids = user_ids
        self.builtin_ids = builtin_ids
        self.base_dir = base_dir
        self.engine = engine
        # the user-defined segment ids named by in_segment / not_in_segment, with the key naming each
        self.references: dict[str, str] = {}


def _segment(slug: str, segment_type: str, entry: Mapping[str, Any], context: _Context) -> Segment:
    for key in entry:
        if key not in SEGMENT_KEYS:
            raise _Invalid(str(key), f"unknown key '{key}' (expected one of: {', '.join(SEGMENT_KEYS)})")
    name = entry.get("name", slug)
    description = entry.get("description", "")
    status = entry.get("status", "active")
    if not isinstance(name, str) or not name.strip():
        raise _Invalid("name", f"must be a non-empty text, got {name!r}")
    if not isinstance(description, str):
        raise _Invalid("description", f"must be text, got {description!r}")
    if status not in STATUSES:
        raise _Invalid("status", f"must be one of {', '.join(STATUSES)}, got {status!r}")

    rule: Rule
    criteria: Any
    if segment_type == "static":
        if "criteria" in entry:
            raise _Invalid("criteria", "a static segment lists customer_ids or a customer_ids_file, not criteria")
        listed, file_name = "customer_ids" in entry, "customer_ids_file" in entry
        if listed == file_name:
            raise _Invalid("customer_ids", "a static segment needs exactly one of customer_ids, customer_ids_file")
        if listed:
            ids = _listed_ids(entry["customer_ids"])
            source, criteria = "manual", {"customer_ids": list(ids)}
        else:
            ids = _file_ids(entry["customer_ids_file"], context.base_dir)
            source, criteria = "import", {"customer_ids_file": entry["customer_ids_file"], "listed_ids": len(ids)}
        rule = CustomerIds(ids)
    else:
        for key in ("customer_ids", "customer_ids_file"):
            if key in entry:
                raise _Invalid(key, "a dynamic segment has criteria; list ids in a static segment")
        if "criteria" not in entry:
            raise _Invalid("criteria", "a dynamic segment needs criteria")
        criteria = entry["criteria"]
        rule = _criteria(criteria, "criteria", 0, context)
        source = "automatic"
    return Segment(
        slug=slug,
        segment_type=segment_type,
        name=name.strip(),
        description=description.strip(),
        status=str(status),
        source=source,
        criteria_json=json.dumps(criteria, default=_json_default, sort_keys=True),
        rule=rule,
    )


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _listed_ids(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise _Invalid("customer_ids", f"must be a list of customer ids (whole numbers), got {value!r}")
    for index, item in enumerate(value):
        if not _is_whole(item):
            raise _Invalid(f"customer_ids[{index}]", f"a customer id must be a whole number, got {item!r}")
    return tuple(dict.fromkeys(value))


def _file_ids(value: Any, base_dir: Path) -> tuple[int, ...]:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("customer_ids_file", f"must be the path of a CSV file, got {value!r}")
    path = Path(value) if Path(value).is_absolute() else base_dir / value
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise _Invalid("customer_ids_file", f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise _Invalid("customer_ids_file", f"{path} is not UTF-8 text") from None
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if "customer_id" in header:
        column, start = header.index("customer_id"), 1
    elif len(header) == 1:
        column, start = 0, 0
    else:
        raise _Invalid("customer_ids_file", f"{path} needs a customer_id column (or a single column of ids)")
    ids: list[int] = []
    for line_number, row in enumerate(rows[start:], start=start + 1):
        cell = row[column].strip() if column < len(row) else ""
        if not cell and not any(part.strip() for part in row):
            continue
        if not re.fullmatch(r"[0-9]{1,18}", cell):
            raise _Invalid("customer_ids_file", f"{path} line {line_number}: not a customer id: {cell!r}")
        ids.append(int(cell))
    return tuple(dict.fromkeys(ids))


def _criteria(value: Any, key: str, depth: int, context: _Context) -> Rule:
    """A criteria object: every key must hold (AND)."""
    if not isinstance(value, Mapping) or not value:
        raise _Invalid(key, f"must be a non-empty mapping of criteria, got {value!r}")
    children = tuple(_criterion(str(name), item, f"{key}.{name}", depth, context) for name, item in value.items())
    return children[0] if len(children) == 1 else Group("and", children)


def _criterion(name: str, value: Any, key: str, depth: int, context: _Context) -> Rule:
    if name in f.LOGICAL_KEYS:
        if depth + 1 > f.MAX_DEPTH:
            raise _Invalid(key, f"all/any/not nest at most {f.MAX_DEPTH} deep")
        if name == "not":
            return Not(_criteria(value, key, depth + 1, context))
        if not isinstance(value, list) or not value:
            raise _Invalid(key, f"must be a non-empty list of criteria objects, got {value!r}")
        children = tuple(_criteria(item, f"{key}[{index}]", depth + 1, context) for index, item in enumerate(value))
        return Group("and" if name == "all" else "or", children)
    if name in f.SEGMENT_KEYS:
        return _in_segment(name, value, key, context)
    if name == "location":
        return _location(value, key)
    if name in f.CATEGORY_KEYS:
        values = _list_of(value, key, lambda item: isinstance(item, str), "text")
        normalised = tuple(dict.fromkeys(str(item).strip().lower() for item in values))
        return ListHasAny("purchased_categories", normalised, negate=name.startswith("never"))
    if name == f.PRODUCT_KEY:
        values = _list_of(value, key, _is_whole, "whole number (a product id)")
        return ListHasAny("purchased_products", values, negate=False)
    if name in f.SHORTCUTS and not isinstance(value, Mapping):
        return _shortcut(name, value, key)
    if name in f.OPERATOR_FIELDS:
        if name in f.LIFETIME_VALUE_FIELDS and context.engine not in f.LIFETIME_VALUE_ENGINES:
            raise _Invalid(
                key,
                f"'{name}' is a column of {f.LIFETIME_VALUE_MART}, whose models run on "
                f"{', '.join(f.LIFETIME_VALUE_ENGINES)} only: not on this build's engine, {context.engine} "
                "(docs/engines.md)",
            )
        return _field(f.OPERATOR_FIELDS[name], value, key)
    close = difflib.get_close_matches(name, f.all_keys(), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise _Invalid(key, f"unknown key '{name}' ({hint}expected one of: {', '.join(f.all_keys())})")


def _list_of(value: Any, key: str, check: Callable[[Any], bool], kind: str) -> tuple[Value, ...]:
    if not isinstance(value, list) or not value:
        raise _Invalid(key, f"must be a non-empty list, got {value!r}")
    for index, item in enumerate(value):
        if not check(item):
            raise _Invalid(f"{key}[{index}]", f"must be a {kind}, got {item!r}")
    return tuple(value)


def _in_segment(name: str, value: Any, key: str, context: _Context) -> Rule:
    ids = [value] if isinstance(value, str) else value
    ids = _list_of(ids, key, lambda item: isinstance(item, str), "segment id such as rfm/champions")
    for segment_id in ids:
        assert isinstance(segment_id, str)
        if segment_id in context.user_ids:
            context.references.setdefault(segment_id, key)
            continue
        kind = segment_id.split("/", 1)[0]
        known = (
            context.builtin_ids is None and kind not in ("static", "dynamic") and "/" in segment_id
        ) or segment_id in (context.builtin_ids or set())
        if not known:
            raise _Invalid(key, f"unknown segment id '{segment_id}'")
    return InSegment(tuple(str(item) for item in ids), negate=name == "not_in_segment")


def _location(value: Any, key: str) -> Rule:
    if not isinstance(value, Mapping) or not value:
        raise _Invalid(key, "must be a mapping with countries, states and/or cities lists")
    parts: list[Rule] = []
    for part, item in value.items():
        if part not in f.LOCATION_PARTS:
            raise _Invalid(f"{key}.{part}", f"unknown key '{part}' (expected: countries, states, cities)")
        values = _list_of(item, f"{key}.{part}", lambda v: isinstance(v, str), "text")
        normalised = tuple(dict.fromkeys(str(v).strip().lower() for v in values))
        parts.append(TextIn(f.LOCATION_PARTS[str(part)], normalised))
    return parts[0] if len(parts) == 1 else Group("and", tuple(parts))


def _shortcut(name: str, value: Any, key: str) -> Rule:
    column, _ = f.SHORTCUTS[name]
    if name in f.WHOLE_NUMBER_SHORTCUTS:
        if not _is_whole(value) or value < 0:
            raise _Invalid(key, f"must be a whole number of 0 or more, got {value!r}")
    else:
        _number(value, key)
    if name == "days_inactive":
        return Inactive(int(value))
    operator = "lte" if name == "recency_days" else "gte"
    return Compare(column, f.Kind.NUMBER, operator, (value,))


def _number(value: Any, key: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(key, f"must be a number, got {value!r}")
    if (isinstance(value, float) and not math.isfinite(value)) or abs(value) >= NUMBER_LIMIT:
        raise _Invalid(key, f"must be a finite number below 10^18 in size, got {value!r}")
    return value


def _date(value: Any, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _Invalid(key, f"must be a date (YYYY-MM-DD), got a date and time {value!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Invalid(key, f"must be a date (YYYY-MM-DD), got {value!r}")


def _typed(field: f.Field, value: Any, key: str) -> Value:
    if field.kind is f.Kind.NUMBER:
        return _number(value, key)
    if field.kind is f.Kind.DATE:
        return _date(value, key)
    if field.kind is f.Kind.BOOLEAN:
        if not isinstance(value, bool):
            raise _Invalid(key, f"must be true or false, got {value!r}")
        return value
    if not isinstance(value, str):
        raise _Invalid(key, f"must be text, got {value!r}")
    if "\x00" in value:
        raise _Invalid(key, "must not contain a NUL character")
    return value


# The keys of an operator object beside `operator`, per operator.
_OPERANDS = {
    **{operator: ("value",) for operator in f.COMPARISONS},
    "in": ("values",),
    "not_in": ("values",),
    "before": ("date",),
    "after": ("date",),
    "within_last_days": ("days",),
}


def _field(field: f.Field, value: Any, key: str) -> Rule:
    # Shorthands: `email_subscribed: true`, `customer_type: business` (the API notes' form).
    if not isinstance(value, Mapping):
        if field.kind in (f.Kind.BOOLEAN, f.Kind.TEXT) and not isinstance(value, list):
            return Compare(field.column, field.kind, "eq", (_typed(field, value, key),))
        raise _Invalid(key, f"must be an operator object such as {{operator: gte, value: 1}}, got {value!r}")
    if "operator" not in value and len(value) == 1:
        value = _expand_compact(field, value, key)
    operator = value.get("operator")
    allowed = f.OPERATORS[field.kind]
    if operator not in allowed:
        raise _Invalid(
            f"{key}.operator",
            f"unknown operator {operator!r} for a {field.kind.value} (expected: {', '.join(allowed)})",
        )
    operands: tuple[str, ...]
    if operator == "between":
        operands = ("start_date", "end_date") if field.kind is f.Kind.DATE else ("min_value", "max_value")
    else:
        operands = _OPERANDS[operator]
    for name in value:
        if name != "operator" and name not in operands:
            raise _Invalid(
                f"{key}.{name}", f"unknown key '{name}' for operator {operator} (expected: {', '.join(operands)})"
            )
    for name in operands:
        if name not in value:
            raise _Invalid(f"{key}.{name}", f"operator {operator} needs {', '.join(operands)}")
    if operator == "within_last_days":
        days = value["days"]
        if not _is_whole(days) or days < 0:
            raise _Invalid(f"{key}.days", f"must be a whole number of 0 or more, got {days!r}")
        return WithinLastDays(field.column, int(days))
    if operator in ("in", "not_in"):
        items = value["values"]
        if not isinstance(items, list) or not items:
            raise _Invalid(f"{key}.values", f"must be a non-empty list, got {items!r}")
        listed = tuple(_typed(field, item, f"{key}.values[{index}]") for index, item in enumerate(items))
        return Compare(field.column, field.kind, str(operator), listed)
    typed: tuple[Any, ...] = tuple(_typed(field, value[name], f"{key}.{name}") for name in operands)
    if operator == "between" and typed[0] > typed[1]:
        low, high = list(operands)
        raise _Invalid(key, f"between: {low} {_show(typed[0])} is greater than {high} {_show(typed[1])}")
    return Compare(field.column, field.kind, str(operator), typed)


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else repr(value)


def _expand_compact(field: f.Field, value: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The compact form `{gte: 5}`, `{between: [1, 2]}`, `{in: [a, b]}`, `{within_last_days: 30}` (the one the
    built-in catalog's criteria are written in) as the API notes' operator object."""
    ((operator, operand),) = value.items()
    if operator not in f.OPERATORS[field.kind]:
        allowed = ", ".join(f.OPERATORS[field.kind])
        raise _Invalid(
            f"{key}.{operator}", f"unknown operator {operator!r} for a {field.kind.value} (expected: {allowed})"
        )
    if operator == "between":
        if not isinstance(operand, list) or len(operand) != 2:
            raise _Invalid(f"{key}.between", f"must be a list of two values [min, max], got {operand!r}")
        names = ("start_date", "end_date") if field.kind is f.Kind.DATE else ("min_value", "max_value")
        return {"operator": "between", names[0]: operand[0], names[1]: operand[1]}
    return {"operator": operator, _OPERANDS[str(operator)][0]: operand}


def _cycles(references: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str, str]]:
    """(segment id, key, message) for each segment on a cycle of in_segment references."""
    found: list[tuple[str, str, str]] = []
    reported: set[str] = set()
    for start in references:
        path: list[str] = []

        def visit(node: str, path: list[str] = path, start: str = start) -> list[str] | None:
            if node in path:
                return [*path[path.index(node) :], node]
            path.append(node)
            for target in sorted(references.get(node, ())):
                cycle = visit(target)
                if cycle:
                    return cycle
            path.pop()
            return None

        cycle = visit(start)
        if cycle and start in cycle and start not in reported:
            reported.add(start)
            found.append((start, references[start][cycle[1]], "in_segment makes a cycle: " + " -> ".join(cycle)))
    return found
