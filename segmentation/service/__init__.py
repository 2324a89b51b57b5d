"""The segment service (docs/service.md): the segmentation API over HTTP, next to the warehouse.

`make serve` (`python -m segmentation.service`) serves the published warehouse read-only and edits only the
segments file it is built from (which the publication records) and its own audit log. One concern per module:

- `settings`: which files the service reads and writes;
- `app`, `routes`, `models`: the FastAPI application, its routes and every request and response as a pydantic model;
- `errors`: the error answers (a 4xx that names the field, never a 500 for bad input), the body size limit;
- `tokens`, `auth`: bearer tokens (issued, listed and revoked by `make token`, stored hashed) and the roles;
- `audit`: the append-only log of every write, refresh, export and token change, beside the published file;
- `definitions`: reading and editing the definitions file (ETags, atomic writes, the build's own validation);
- `queries`: the read-only queries of the published file, one short connection per request;
- `jobs`: refreshes, run through the monthly cycle and its lock.
"""
