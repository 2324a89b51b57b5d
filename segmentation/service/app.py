"""The FastAPI application: settings, token store, definitions file and jobs on `app.state`, the routes, the error
answers and the body size limit. `create_app` is what `python -m segmentation.service` serves and the tests start."""

from __future__ import annotations

from fastapi import FastAPI

from segmentation.service import audit, errors, queries
from segmentation.service.definitions import DefinitionsFile
from segmentation.service.jobs import Job, Jobs
from segmentation.service.routes import jobs_router, segments_router
from segmentation.service.settings import Settings
from segmentation.service.tokens import TokenStore

MAX_BODY_BYTES = 1 << 20  # 1 MiB: ten thousand ids fit several times over
SERVICE = audit.Actor(name="segment service", token_id="", role="service")


def _builtin_ids(settings: Settings) -> list[str] | None:
    """The catalog's built-in ids for validating in_segment, as the build reads them; None when unknown."""
    try:
        with queries.connect(settings.published) as con:
            return queries.builtin_ids(con)
    except queries.WarehouseUnavailable:
        return None


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="Segment service",
        version="1.0.0",
        description="The segmentation API over the published warehouse (docs/service.md). Every request carries a "
        "bearer token from `make token`; a segment id in a path is the whole id, e.g. rfm/champions.",
    )

    def finished(job: Job) -> None:
        audit.record(
            settings.audit_log,
            SERVICE,
            f"refresh.{job.status}",
            job.segment_id,
            job_id=job.job_id,
            exit_code=job.exit_code,
            message=job.message,
            requested_by=job.requested_by,
        )

    app.state.settings = settings
    app.state.tokens = TokenStore(settings.tokens)
    app.state.definitions = DefinitionsFile(settings.definitions, lambda: _builtin_ids(settings))
    app.state.jobs = Jobs(settings.jobs, on_finish=finished)
    app.include_router(segments_router)
    app.include_router(jobs_router)
    errors.install(app)
    app.add_middleware(errors.BodyLimit, limit=MAX_BODY_BYTES)
    return app
