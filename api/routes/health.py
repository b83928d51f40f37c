"""`/health` and `/metrics`."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.schemas import ChainHealth, HealthPublic
from genip.db import models

__all__ = ["router"]

router = APIRouter(tags=["operations"])


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


@router.get(
    "/health",
    response_model=HealthPublic,
    responses={503: {"model": HealthPublic, "description": "The database cannot be reached."}},
    summary="Database reachable, indexer lag and last error",
)
def health(request: Request) -> Any:
    """200 when the database answers (with each chain's indexer lag = head - cursor and last error), 503
    when it does not."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    try:
        with factory() as session:
            cursors = session.execute(select(models.Cursor).order_by(models.Cursor.chain_id)).scalars().all()
            chains = [
                ChainHealth(
                    chain_id=c.chain_id,
                    block_number=c.block_number,
                    head_block=c.head_block,
                    lag=max(c.head_block - c.block_number, 0),
                    updated_at=_iso(c.updated_at),
                    last_error=c.last_error,
                    last_error_at=_iso(c.last_error_at),
                )
                for c in cursors
            ]
    except SQLAlchemyError as exc:
        body = HealthPublic(status="unavailable", database=False, chains=[], detail=type(exc).__name__)
        return JSONResponse(body.model_dump(), status_code=503)
    return HealthPublic(status="ok", database=True, chains=chains)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Metrics."}},
    summary="Prometheus metrics of this process",
)
def metrics() -> Response:
    """Request counts and latencies by route and status (per process: scrape every instance)."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
