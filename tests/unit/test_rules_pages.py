"""The rules pages in docs/rules/ state every var and every mart column the code has.

The pages are the project's own statement of its rules (a user's clone has no spec beside it), so a var added to
dbt_project.yml or a column added to a mart must be stated there too. Each var is a row of the vars table of
docs/rules/README.md, with the default dbt_project.yml gives it; each mart is a section headed by its name in
backticks (e.g. "## `customer_segments`"), whose tables name its columns in their first cell.

The other way round too: a column a page names under a mart that the mart does not declare (a typo, or a column
that was removed), or a var the vars table names that dbt_project.yml lacks, fails.

Links between the pages, and every `docs/rules/<page>.md#<anchor>` a file of the repository cites, must resolve to a
page and a heading of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
RULES_DIR = PROJECT_DIR / "docs" / "rules"
INDEX = RULES_DIR / "README.md"
MART_YAML = sorted(
    path for path in (PROJECT_DIR / "models" / "marts").rglob("_*.yml") if path.name.endswith("__models.yml")
)


HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
MODEL_HEADING = re.compile(r"^`([a-z_][a-z0-9_]*)`$")
CODE_SPAN = re.compile(r"`([^`]+)`")
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
TABLE_SEPARATOR = re.compile(r"^\|[\s:|-]+\|$")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
RULES_CITATION = re.compile(r"docs/rules/([A-Za-z0-9-]+\.md)(?:#([\w-]+))?")
CITING_PLACES = ("models", "macros", "segmentation", "tests", "dashboard", "docs", "seeds", "snapshots")
CITING_FILES = ("README.md", "Makefile", "dbt_project.yml", "pyproject.toml")
TEXT_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".md", ".toml", ".txt", ".cfg"}


# --- reading the pages ---------------------------------------------------------------------------------------------


def pages() -> list[Path]:
    return sorted(RULES_DIR.glob("*.md"))


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation other than - and _ dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading's anchor, with GitHub's -1, -2 suffixes for repeated headings."""
    seen: dict[str, int] = {}
    found = set()
    for line in _outside_code_blocks(page.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if not match:
            continue
        anchor = github_anchor(match.group(2))
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        found.add(anchor if count == 0 else f"{anchor}-{count}")
    return found


def _outside_code_blocks(text: str) -> Iterator[str]:
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            yield line


def sections(page: Path) -> Iterator[tuple[str, list[str]]]:
    """(heading text, the lines under it up to the next heading of the same or a higher level), for every heading."""
    lines = list(_outside_code_blocks(page.read_text(encoding="utf-8")))
    headings = [(i, HEADING.match(line)) for i, line in enumerate(lines)]
    marked = [(i, len(m.group(1)), m.group(2)) for i, m in headings if m]
    for position, (start, level, text) in enumerate(marked):
        end = next((i for i, other_level, _ in marked[position + 1 :] if other_level <= level), len(lines))
        yield text, lines[start + 1 : end]


def first_cell_names(lines: list[str]) -> set[str]:
    """The identifiers in backticks in the first cell of every table row, header and separator rows left out."""
    names: set[str] = set()
    rows = [line.strip() for line in lines if line.strip().startswith("|")]
    for row in rows:
        if TABLE_SEPARATOR.match(row):
            continue
        first_cell = row.strip("|").split("|")[0]
        names.update(name for name in CODE_SPAN.findall(first_cell) if IDENTIFIER.fullmatch(name))
    return names


def documented_models() -> dict[str, set[str]]:
    """Each model section of the pages (a heading that is a name in backticks) and the columns its tables name."""
    models: dict[str, set[str]] = {}
    for page in pages():
        for heading, lines in sections(page):
            match = MODEL_HEADING.match(heading)
            if match:
                assert match.group(1) not in models, f"model {match.group(1)} has two sections in docs/rules/"
                models[match.group(1)] = first_cell_names(lines)
    return models


def documented_vars() -> dict[str, Any]:
    """The vars table of the index: each var with its default, read as YAML reads dbt_project.yml."""
    table = next(lines for heading, lines in sections(INDEX) if heading == "Vars")
    documented: dict[str, Any] = {}
    for line in table:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not (CODE_SPAN.fullmatch(cells[0]) and CODE_SPAN.fullmatch(cells[1])):
            continue
        documented[cells[0].strip("`")] = yaml.safe_load(cells[1].strip("`"))
    return documented


# --- reading the code ----------------------------------------------------------------------------------------------


def project_vars() -> dict[str, Any]:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    variables: dict[str, Any] = project["vars"]
    return variables


def mart_columns() -> dict[str, list[str]]:
    """Every model declared under models/marts, with its declared columns in order."""
    marts: dict[str, list[str]] = {}
    for path in MART_YAML:
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            marts[model["name"]] = [column["name"] for column in model.get("columns", [])]
    return marts


# --- code -> docs --------------------------------------------------------------------------------------------------


def test_the_code_declares_vars_and_marts() -> None:
    """The readers above find what they check; an empty reading would make every check below pass."""
    assert len(project_vars()) >= 20
    assert MART_YAML
    assert {"customer_segments", "dim_customer", "segments", "campaign_performance"} <= set(mart_columns())


def test_every_var_is_in_the_vars_table_with_its_default() -> None:
    documented = documented_vars()
    missing = [name for name in project_vars() if name not in documented]
    assert not missing, f"vars of dbt_project.yml missing from the vars table of docs/rules/README.md: {missing}"
    wrong = {name: (documented[name], value) for name, value in project_vars().items() if documented[name] != value}
    assert not wrong, f"vars whose default in docs/rules/README.md differs from dbt_project.yml (docs, code): {wrong}"


def test_every_mart_column_is_stated_under_its_mart() -> None:
    documented = documented_models()
    unstated = [
        f"{mart}.{column}"
        for mart, columns in mart_columns().items()
        for column in columns
        if column not in documented.get(mart, set())
    ]
    assert not unstated, (
        "mart columns no rules page states (add each to its mart's section, a heading `<mart>` in docs/rules/): "
        f"{unstated}"
    )


def test_every_mart_has_a_section() -> None:
    missing = sorted(set(mart_columns()) - set(documented_models()))
    assert not missing, f"marts without a section (a heading `<mart>`) in docs/rules/: {missing}"


# --- docs to code ----------------------------------------------------------------------------------------------------


def test_documented_columns_are_the_codes() -> None:
    declared = mart_columns()
    unknown = [
        f"{model}.{column}"
        for model, columns in documented_models().items()
        for column in sorted(columns)
        if column not in declared.get(model, [])
    ]
    assert not unknown, f"columns the rules pages state that no mart declares: {unknown}"


def test_documented_vars_are_the_codes() -> None:
    unknown = sorted(set(documented_vars()) - set(project_vars()))
    assert not unknown, f"vars in docs/rules/README.md that dbt_project.yml does not have: {unknown}"


# --- links ---------------------------------------------------------------------------------------------------------


def test_headings_of_a_page_have_distinct_anchors() -> None:
    """A citation names one heading: two headings with one anchor would make GitHub number the second (`-1`)."""
    repeated = []
    for page in pages():
        names = [github_anchor(heading) for heading, _ in sections(page)]
        repeated += [f"{page.name}#{name}" for name in sorted(set(names)) if names.count(name) > 1]
    assert not repeated, f"headings that share an anchor: {repeated}"


def test_the_index_lists_every_page() -> None:
    linked = set(MARKDOWN_LINK.findall(INDEX.read_text(encoding="utf-8")))
    unlisted = [page.name for page in pages() if page != INDEX and page.name not in linked]
    assert not unlisted, f"rules pages the index docs/rules/README.md does not list: {unlisted}"


def test_links_of_the_pages_resolve() -> None:
    broken = []
    for page in pages():
        for target in MARKDOWN_LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            path_part, _, anchor = target.partition("#")
            destination = (page.parent / path_part).resolve() if path_part else page
            if not destination.is_file():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, f"links in docs/rules/ that lead nowhere: {broken}"


def citing_files() -> Iterator[Path]:
    for name in CITING_FILES:
        if (PROJECT_DIR / name).is_file():
            yield PROJECT_DIR / name
    for place in CITING_PLACES:
        for path in (PROJECT_DIR / place).rglob("*"):
            if path.is_file() and path.suffix in TEXT_SUFFIXES:
                yield path


def test_citations_of_the_rules_resolve() -> None:
    """`docs/rules/<page>.md#<anchor>` in code, tests and docs names a page and a heading that exist."""
    broken = []
    for path in citing_files():
        for page_name, anchor in RULES_CITATION.findall(path.read_text(encoding="utf-8", errors="replace")):
            page = RULES_DIR / page_name
            if not page.is_file() or (anchor and anchor not in anchors(page)):
                broken.append(f"{path.relative_to(PROJECT_DIR)}: docs/rules/{page_name}#{anchor}")
    assert not broken, f"citations of the rules pages that lead nowhere: {broken}"
