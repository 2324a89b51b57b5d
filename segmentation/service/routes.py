"""The routes of docs/rules/service.md under /api/customer-segments, and /api/jobs/{id}.

A segment id in a path is the whole id, matched as a path (`/api/customer-segments/rfm/champions/analytics`; `%2F`
works too): the routes with a suffix are declared before the bare `/{segment_id}` so that the suffix wins.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

import duckdb
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi import status as http

from segmentation.exports.errors import ExportFailed, ExportRefused
from segmentation.exports.export import export_segment
from segmentation.service import audit, queries
from segmentation.service.audit import Actor
from segmentation.service.auth import CREATE, DELETE, EXPORT, READ, UPDATE, require
from segmentation.service.definitions import USER_TYPES, DefinitionsFile, DefinitionsProblem, Entry, slug_from_name
from segmentation.service.jobs import Job, Jobs, RefreshPlan, RefreshRefused
from segmentation.service.models import (
    Analytics,
    ExportOut,
    ExportRequest,
    JobAccepted,
    JobOut,
    Member,
    MembersChange,
    MembersChanged,
    MembersPage,
    Problem,
    RevenuePoint,
    SegmentCreate,
    SegmentCreated,
    SegmentList,
    SegmentOut,
    SegmentUpdate,
    TrendPoint,
)
from segmentation.service.segments import SORT_KEYS, Listing, listing, select, user_defined
from segmentation.service.settings import Settings

PREFIX = "/api/customer-segments"
MAX_LIMIT = 500
MAX_PAGE = 1_000_000

SegmentId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        description="the whole segment id, `<type>/<slug>`",
        examples=["rfm/champions", "dynamic/lapsed_travellers", "static/vip_list"],
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match", max_length=500, description="the segment's ETag, from GET; required (428 without, 412 stale)"
    ),
]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page, at most {MAX_LIMIT}")]


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "the body cannot be read (not UTF-8, or nested past what can be parsed)",
        401: "no token, or not a valid one",
        403: "the token's role lacks the permission",
        404: "no such segment (or job)",
        409: "a conflict: a built-in segment, a refresh already running, a state that does not allow it",
        412: "If-Match is not the segment's current ETag",
        413: "the request body is too large",
        422: "a field is wrong (named in `field`)",
        428: "If-Match is required",
        503: "the published warehouse cannot answer",
    }
    return {code: {"model": Problem, "description": described[code]} for code in (400, 401, 403, 422, 503, *codes)}


segments_router = APIRouter(prefix=PREFIX, tags=["customer segments"])
jobs_router = APIRouter(prefix="/api/jobs", tags=["jobs"])


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def definitions_of(request: Request) -> DefinitionsFile:
    definitions: DefinitionsFile = request.app.state.definitions
    return definitions


def _listing(request: Request, con: duckdb.DuckDBPyConnection | None = None) -> Listing:
    """Every segment, from `con` when the caller has a connection open already (one publication for the answer)."""
    if con is None:
        with queries.connect(settings_of(request).published) as own:
            return _listing(request, own)
    catalog = queries.catalog(con)
    builtin = [segment_id for segment_id, row in catalog.items() if row.segment_type not in USER_TYPES]
    return listing(catalog, definitions_of(request).snapshot(builtin))


def _found(request: Request, segment_id: str, con: duckdb.DuckDBPyConnection | None = None) -> SegmentOut:
    segment = _listing(request, con).get(segment_id)
    if segment is None:
        raise DefinitionsProblem(404, f"no segment {segment_id!r} (GET {PREFIX} lists them)", "segment_id")
    return segment


def _writable(request: Request, segment_id: str, if_match: str | None) -> tuple[SegmentOut, str]:
    segment = _found(request, segment_id)
    if segment.built_in:
        raise DefinitionsProblem(409, f"{segment_id} is a built-in segment: it cannot be changed or deleted")
    if not if_match:
        raise DefinitionsProblem(
            428, "If-Match is required: send the segment's ETag (from GET) so no change is lost", "If-Match"
        )
    return segment, if_match


def _out(request: Request, entry: Entry) -> SegmentOut:
    with queries.connect(settings_of(request).published) as con:
        catalog = queries.catalog(con)
    builtin = [segment_id for segment_id, row in catalog.items() if row.segment_type not in USER_TYPES]
    return user_defined(entry, catalog.get(entry.segment_id), definitions_of(request).snapshot(builtin))


def _known(request: Request, ids: list[int]) -> tuple[list[int], list[int]]:
    """(ids that are customers of the published warehouse, those that are not), each in the order given."""
    with queries.connect(settings_of(request).published) as con:
        known = queries.known_customers(con, ids)
    return [i for i in ids if i in known], [i for i in ids if i not in known]


@segments_router.post(
    "",
    status_code=http.HTTP_201_CREATED,
    response_model=SegmentCreated,
    responses=_problems(409, 413),
    summary="Create a static or dynamic segment",
)
def create_segment(
    body: SegmentCreate, request: Request, response: Response, actor: Annotated[Actor, Depends(require(CREATE))]
) -> SegmentCreated:
    slug = body.slug or slug_from_name(body.segment_name)
    entry: dict[str, Any] = {"id": slug, "name": body.segment_name, "type": body.segment_type}
    if body.description is not None:
        entry["description"] = body.description
    if body.status != "active":
        entry["status"] = body.status
    if body.criteria is not None:
        entry["criteria"] = body.criteria
    unknown: list[int] = []
    if body.customer_ids is not None:
        entry["customer_ids"], unknown = _known(request, list(dict.fromkeys(body.customer_ids)))
    created = definitions_of(request).create(entry)
    audit.record(
        settings_of(request).audit_log,
        actor,
        "segment.create",
        created.segment_id,
        None,
        created.data,
        unknown_ids=unknown,
    )
    response.headers["ETag"] = created.etag
    response.headers["Location"] = f"{PREFIX}/{created.segment_id}"
    return SegmentCreated(**_out(request, created).model_dump(), unknown_ids=unknown)


@segments_router.get("", response_model=SegmentList, responses=_problems(), summary="List segments")
def list_segments(
    request: Request,
    actor: Annotated[Actor, Depends(require(READ))],
    segment_type: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    status: Annotated[Literal["active", "draft", "archived"] | None, Query()] = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
    page: Page = 1,
    limit: Limit = 20,
    sort_by: Annotated[Literal[SORT_KEYS], Query()] = "segment_id",  # type: ignore[valid-type]
    sort_order: Annotated[Literal["asc", "desc"], Query()] = "asc",
) -> SegmentList:
    chosen = select(list(_listing(request).segments.values()), segment_type, status, search, sort_by, sort_order)
    start = (page - 1) * limit
    return SegmentList(items=chosen[start : start + limit], total=len(chosen), page=page, limit=limit)


@segments_router.get(
    "/{segment_id:path}/customers",
    response_model=MembersPage,
    responses=_problems(404),
    summary="A segment's current members, by customer_id",
)
def list_members(
    segment_id: SegmentId,
    request: Request,
    actor: Annotated[Actor, Depends(require(READ))],
    page: Page = 1,
    limit: Limit = 100,
) -> MembersPage:
    with queries.connect(settings_of(request).published) as con:
        _found(request, segment_id, con)
        result = queries.members_page(con, segment_id, limit, (page - 1) * limit)
    return MembersPage(
        segment_id=segment_id,
        as_of_date=result.as_of_date,
        publication_id=result.publication.publication_id,
        total=result.total,
        page=page,
        limit=limit,
        items=[Member(**row) for row in result.rows],
    )


def _change_members(
    request: Request, segment_id: str, if_match: str | None, body: MembersChange, actor: Actor, adding: bool
) -> MembersChanged:
    segment, tag = _writable(request, segment_id, if_match)
    ids = list(dict.fromkeys(body.customer_ids))
    known, unknown = _known(request, ids)
    listed = set(segment.customer_ids or [])
    if adding:
        changed = [i for i in known if i not in listed]
        unchanged = [i for i in known if i in listed]
        before, after = definitions_of(request).change_members(segment_id, tag, add=known)
    else:
        changed = [i for i in ids if i in listed]
        unchanged = [i for i in ids if i not in listed]
        before, after = definitions_of(request).change_members(segment_id, tag, remove=ids)
    audit.record(
        settings_of(request).audit_log,
        actor,
        "segment.members.add" if adding else "segment.members.remove",
        segment_id,
        before.data,
        after.data,
        unknown_ids=unknown,
    )
    return MembersChanged(segment=_out(request, after), changed=changed, unchanged=unchanged, unknown_ids=unknown)


@segments_router.post(
    "/{segment_id:path}/customers",
    response_model=MembersChanged,
    responses=_problems(404, 409, 412, 413, 428),
    summary="Add customers to a static segment (kept inline, source manual)",
)
def add_members(
    segment_id: SegmentId,
    body: MembersChange,
    request: Request,
    response: Response,
    actor: Annotated[Actor, Depends(require(UPDATE))],
    if_match: IfMatch = None,
) -> MembersChanged:
    result = _change_members(request, segment_id, if_match, body, actor, adding=True)
    response.headers["ETag"] = result.segment.etag
    return result


@segments_router.delete(
    "/{segment_id:path}/customers",
    response_model=MembersChanged,
    responses=_problems(404, 409, 412, 413, 428),
    summary="Remove customers from a static segment",
)
def remove_members(
    segment_id: SegmentId,
    body: MembersChange,
    request: Request,
    response: Response,
    actor: Annotated[Actor, Depends(require(UPDATE))],
    if_match: IfMatch = None,
) -> MembersChanged:
    result = _change_members(request, segment_id, if_match, body, actor, adding=False)
    response.headers["ETag"] = result.segment.etag
    return result


@segments_router.get(
    "/{segment_id:path}/analytics",
    response_model=Analytics,
    responses=_problems(404),
    summary="A segment's analytics at a recorded date, with its member and revenue trends",
)
def segment_analytics(
    segment_id: SegmentId,
    request: Request,
    actor: Annotated[Actor, Depends(require(READ))],
    as_of_date: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="default: the latest")] = None,
) -> Analytics:
    with queries.connect(settings_of(request).published) as con:
        _found(request, segment_id, con)
        rows = queries.analytics(con, segment_id)
        publication_id = queries.publication(con).publication_id
    if not rows:
        raise DefinitionsProblem(
            404,
            f"{segment_id} has no analytics in the published warehouse yet (created after its last build: refresh it)",
            "segment_id",
        )
    dated = [row for row in rows if as_of_date is None or row["as_of_date"].isoformat() == as_of_date]
    if not dated:
        dates = ", ".join(row["as_of_date"].isoformat() for row in rows)
        raise DefinitionsProblem(404, f"no recorded date {as_of_date} (recorded: {dates})", "as_of_date")
    return Analytics(
        **dated[-1],
        publication_id=publication_id,
        customer_growth_trend=[
            TrendPoint(as_of_date=r["as_of_date"], total_customers=r["total_customers"]) for r in rows
        ],
        revenue_trend=[RevenuePoint(as_of_date=r["as_of_date"], total_revenue=r["total_revenue"]) for r in rows],
    )


@segments_router.post(
    "/{segment_id:path}/refresh",
    status_code=http.HTTP_202_ACCEPTED,
    response_model=JobAccepted,
    responses=_problems(404, 409),
    summary="Rebuild the served warehouse as of its as-of date (a job)",
)
def refresh(
    segment_id: SegmentId,
    request: Request,
    response: Response,
    actor: Annotated[Actor, Depends(require(UPDATE))],
) -> JobAccepted:
    _found(request, segment_id)
    settings = settings_of(request)
    with queries.connect(settings.published) as con:
        published = queries.publication(con)
    working = settings.working or (FilePath(published.working_file) if published.working_file else None)
    if settings.raw_dir is None or working is None or published.as_of_date is None:
        raise DefinitionsProblem(
            409,
            "this service was started without the raw folder or working file of the warehouse it serves, so it "
            "cannot rebuild it (make serve RAW_DIR=...)",
        )
    plan = RefreshPlan(
        published.as_of_date,
        settings.raw_dir,
        working,
        settings.published,
        settings.definitions,
        settings.backfill_months,
        settings.campaigns,
    )
    jobs: Jobs = request.app.state.jobs
    try:
        job = jobs.start(segment_id, plan, actor.name)
    except RefreshRefused as refused:
        raise DefinitionsProblem(409, str(refused)) from None
    audit.record(settings.audit_log, actor, "refresh.start", segment_id, job_id=job.job_id, as_of_date=job.as_of_date)
    response.headers["Location"] = f"/api/jobs/{job.job_id}"
    return JobAccepted(job_id=job.job_id, status=job.status, status_url=f"/api/jobs/{job.job_id}")


@segments_router.post(
    "/{segment_id:path}/export",
    status_code=http.HTTP_201_CREATED,
    response_model=ExportOut,
    responses=_problems(404, 409, 413),
    summary="Export a segment's members contactable on a channel (audited)",
)
def export(
    segment_id: SegmentId,
    body: ExportRequest,
    request: Request,
    actor: Annotated[Actor, Depends(require(EXPORT))],
) -> ExportOut:
    segment = _found(request, segment_id)
    settings = settings_of(request)
    who = f"{actor.name} (token {actor.token_id}, segment service)"
    try:
        result = export_segment(
            settings.published, segment_id, body.channel, list(body.fields), body.format, exported_by=who
        )
    except ExportRefused as refused:
        if segment.customer_count is None:
            raise DefinitionsProblem(409, f"{segment_id} is not in the published warehouse yet: refresh it") from None
        raise DefinitionsProblem(409, str(refused)) from None
    except ExportFailed as failed:
        raise queries.WarehouseUnavailable(str(failed)) from None
    record = result.record
    audit.record(
        settings.audit_log,
        actor,
        "segment.export",
        segment_id,
        export_id=record.export_id,
        channel=record.channel,
        fields=record.fields,
        rows=record.row_count,
        file=record.file_path,
        sha256=record.sha256,
    )
    return ExportOut(
        export_id=record.export_id,
        segment_id=segment_id,
        channel=record.channel,
        format=record.format,
        fields=record.fields,
        row_count=record.row_count,
        members=result.audience.treatment_size,
        left_out_count=record.left_out_count,
        left_out_reasons=record.left_out_reasons,
        file_name=FilePath(record.file_path).name,
        sha256=record.sha256,
        publication_id=record.publication_id,
        exported_at=record.exported_at,
    )


@segments_router.get("/{segment_id:path}", response_model=SegmentOut, responses=_problems(404), summary="One segment")
def get_segment(
    segment_id: SegmentId, request: Request, response: Response, actor: Annotated[Actor, Depends(require(READ))]
) -> SegmentOut:
    segment = _found(request, segment_id)
    response.headers["ETag"] = segment.etag
    return segment


def _ensure_fixed(segment: SegmentOut, body: SegmentUpdate) -> None:
    if body.segment_type is not None and body.segment_type != segment.segment_type:
        raise DefinitionsProblem(422, f"segment_type: never changes (it is {segment.segment_type})", "segment_type")
    if body.slug is not None and body.slug != segment.slug:
        raise DefinitionsProblem(422, f"slug: never changes (it is {segment.slug})", "slug")


@segments_router.put(
    "/{segment_id:path}",
    response_model=SegmentOut,
    responses=_problems(404, 409, 412, 413, 428),
    summary="Update a segment's name, description, criteria or status",
)
def update_segment(
    segment_id: SegmentId,
    body: SegmentUpdate,
    request: Request,
    response: Response,
    actor: Annotated[Actor, Depends(require(UPDATE))],
    if_match: IfMatch = None,
) -> SegmentOut:
    segment, tag = _writable(request, segment_id, if_match)
    _ensure_fixed(segment, body)
    given = body.model_fields_set
    updates: dict[str, Any] = {}
    if "segment_name" in given and body.segment_name is not None:
        updates["name"] = body.segment_name
    if "description" in given:
        updates["description"] = body.description
    if "criteria" in given and body.criteria is not None:
        updates["criteria"] = body.criteria
    if "status" in given and body.status is not None:
        updates["status"] = body.status
    before, after = definitions_of(request).update(segment_id, tag, updates)
    audit.record(settings_of(request).audit_log, actor, "segment.update", segment_id, before.data, after.data)
    response.headers["ETag"] = after.etag
    return _out(request, after)


@segments_router.delete(
    "/{segment_id:path}",
    response_model=SegmentOut,
    responses=_problems(404, 409, 412, 428),
    summary="Archive a user-defined segment (built-in segments cannot be deleted)",
)
def archive_segment(
    segment_id: SegmentId,
    request: Request,
    response: Response,
    actor: Annotated[Actor, Depends(require(DELETE))],
    if_match: IfMatch = None,
) -> SegmentOut:
    _, tag = _writable(request, segment_id, if_match)
    before, after = definitions_of(request).update(segment_id, tag, {"status": "archived"})
    audit.record(settings_of(request).audit_log, actor, "segment.archive", segment_id, before.data, after.data)
    response.headers["ETag"] = after.etag
    return _out(request, after)


@jobs_router.get("/{job_id}", response_model=JobOut, responses=_problems(404), summary="A refresh job's state")
def get_job(
    job_id: Annotated[str, Path(min_length=1, max_length=64)],
    request: Request,
    actor: Annotated[Actor, Depends(require(READ))],
) -> JobOut:
    jobs: Jobs = request.app.state.jobs
    job = jobs.get(job_id)
    if job is None:
        raise DefinitionsProblem(404, f"no job {job_id!r} (jobs are kept while the service runs)", "job_id")
    return job_out(job, jobs.log_tail(job.job_id))


def job_out(job: Job, log_tail: list[str]) -> JobOut:
    return JobOut(**asdict(job), log_tail=log_tail)
