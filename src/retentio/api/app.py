"""The HTTP API, wired in one place: every route with the scope it needs, and the error shapes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import Depends, FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, OperationalError

from retentio import __version__
from retentio.api.bodies import field_errors
from retentio.api.deps import ApiContext, require_scope
from retentio.api.docs_page import add_docs_page
from retentio.api.keys import Scope
from retentio.api.messages_schema import MessageRequestBody
from retentio.api.middleware import BodyLimit, ResponseHeaders
from retentio.api.routes import (
    callbacks,
    checkout,
    club,
    coupons,
    customers,
    events,
    gift_cards,
    health,
    inbox,
    loyalty,
    loyalty_programmes,
    messages,
    offers,
    preference_page,
    preferences,
    products,
    push_devices,
    recommendations,
    referrals,
    segments,
    templates,
    tracking,
)
from retentio.api.schemas import (
    ErrorResponse,
    ProductCreate,
    ValidationErrorResponse,
    batch_body_schema,
    events_body_schema,
)
from retentio.clock import Clock
from retentio.config import Settings
from retentio.db.engine import reader
from retentio.ingest import IngestOptions
from retentio.messaging import ChannelName, ReportsByCallback

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    endpoint: Callable[..., Any]
    scope: Scope | None  # None: open to anyone
    docs: Mapping[str, Any] = field(default_factory=dict)


_hidden = {"include_in_schema": False}
_csv = {"responses": {200: {"content": {"text/csv": {}}, "description": "code,customer_id,uses"}}}


def routes(settings: Settings) -> tuple[Route, ...]:
    """Every route of the API and the scope its key must hold (``admin`` holds them all)."""
    too_large = {413: {"model": ErrorResponse, "description": "Too many items, or a body over 64 MiB."}}
    events_body = {
        "openapi_extra": events_body_schema(settings.max_batch_events),
        "responses": too_large,
    }
    products_body = {
        "openapi_extra": batch_body_schema(ProductCreate, "products", products.MAX_BULK_PRODUCTS),
        "responses": too_large,
    }
    messages_body = {
        "openapi_extra": batch_body_schema(MessageRequestBody, "messages", messages.MAX_MESSAGES),
        "responses": too_large,
    }
    return (
        Route("GET", "/v1/health", health.get_health, None),
        Route("POST", "/v1/events", events.post_events, "ingest", events_body),
        Route("PUT", "/v1/customers/{customer_id}", customers.put_customer, "ingest"),
        Route("GET", "/v1/customers/{customer_id}", customers.get_customer_view, "read"),
        Route("POST", "/v1/customers/{customer_id}/push-devices", push_devices.post_push_device, "ingest"),
        Route(
            "DELETE",
            "/v1/customers/{customer_id}/push-devices",
            push_devices.delete_push_device,
            "ingest",
            {"status_code": 204, "response_class": Response},
        ),
        Route("POST", "/v1/products", products.post_products, "ingest", products_body),
        Route("PUT", "/v1/products/{sku}", products.put_product, "ingest"),
        Route("GET", "/v1/products/{sku}", products.get_product_record, "read"),
        Route("GET", "/v1/products/{sku}/related", recommendations.get_related, "read"),
        Route(
            "GET", "/v1/customers/{customer_id}/recommendations", recommendations.get_recommendations, "read"
        ),
        Route("POST", "/v1/segments", segments.post_segment, "admin", {"status_code": 201}),
        Route("GET", "/v1/segments", segments.get_segments, "read"),
        Route("GET", "/v1/segments/{name}", segments.get_segment_record, "read"),
        Route("POST", "/v1/segments/{name}/refresh", segments.post_segment_refresh, "admin"),
        Route("GET", "/v1/segments/{name}/members", segments.get_segment_members, "read"),
        Route("GET", "/v1/segments/{name}/sizes", segments.get_segment_sizes, "read"),
        Route("POST", "/v1/messages", messages.post_messages, "ingest", messages_body),
        Route("GET", "/v1/messages/{message_id}", messages.get_message, "read"),
        Route("GET", "/v1/customers/{customer_id}/messages", messages.get_customer_messages, "read"),
        Route("PUT", "/v1/templates/{name}", templates.put_template, "admin"),
        Route("GET", "/v1/templates", templates.get_templates, "read"),
        Route("GET", "/v1/templates/{name}", templates.get_template, "read"),
        Route("DELETE", "/v1/templates/{name}", templates.delete_template_route, "admin"),
        Route("POST", "/v1/templates/{name}/preview", templates.post_preview, "read"),
        Route("GET", "/v1/customers/{customer_id}/preferences", preferences.get_preferences, "read"),
        Route("PUT", "/v1/customers/{customer_id}/preferences", preferences.put_preferences, "ingest"),
        Route("POST", "/v1/coupon-pools", coupons.post_pool, "admin", {"status_code": 201}),
        Route("GET", "/v1/coupon-pools/{pool_id}", coupons.get_pool_stats, "read"),
        # The codes themselves are what customers pay with: only an admin key exports them.
        Route("GET", "/v1/coupon-pools/{pool_id}/codes", coupons.get_pool_codes, "admin", _csv),
        Route("POST", "/v1/coupons/validate", coupons.post_validate, "ingest"),
        Route("POST", "/v1/gift-cards", gift_cards.post_gift_card, "admin", {"status_code": 201}),
        Route("GET", "/v1/gift-cards/{code}", gift_cards.get_gift_card_record, "read"),
        Route("POST", "/v1/gift-cards/{code}/spend", gift_cards.post_spend, "ingest"),
        Route("POST", "/v1/gift-cards/{code}/top-ups", gift_cards.post_top_up, "ingest"),
        Route("POST", "/v1/gift-cards/{code}/refunds", gift_cards.post_refund, "ingest"),
        Route("GET", "/v1/loyalty/programmes", loyalty_programmes.get_programmes, "read"),
        Route("GET", "/v1/loyalty/programmes/{programme_id}", loyalty_programmes.get_programme, "read"),
        Route("POST", "/v1/checkout/calculate", checkout.post_calculate, "ingest"),
        Route("POST", "/v1/checkout/reservations", checkout.post_reservation, "ingest"),
        Route("GET", "/v1/checkout/reservations/{reservation_id}", checkout.get_reservation, "read"),
        Route("POST", "/v1/checkout/reservations/{reservation_id}/commit", checkout.post_commit, "ingest"),
        Route("POST", "/v1/checkout/reservations/{reservation_id}/release", checkout.post_release, "ingest"),
        Route("GET", "/v1/customers/{customer_id}/loyalty", loyalty.get_loyalty, "read"),
        Route("POST", "/v1/customers/{customer_id}/loyalty/adjustments", loyalty.post_adjustment, "admin"),
        Route("GET", "/v1/customers/{customer_id}/referral", referrals.get_customer_referral, "read"),
        Route("POST", "/v1/customers/{customer_id}/referral", referrals.post_customer_referral, "ingest"),
        # Refusals name customers and the codes they tried: an operator's view.
        Route("GET", "/v1/referral-refusals", referrals.get_referral_refusals, "admin"),
        Route("GET", "/v1/customers/{customer_id}/club", club.get_customer_club, "read"),
        Route("GET", "/v1/customers/{customer_id}/offers", offers.get_offers, "read"),
        Route("POST", "/v1/customers/{customer_id}/offers", offers.post_offer, "ingest"),
        Route("GET", "/v1/customers/{customer_id}/inbox", inbox.get_inbox, "read"),
        Route("POST", "/v1/customers/{customer_id}/inbox/{message_id}/seen", inbox.post_seen, "ingest"),
        Route(
            "POST", "/v1/customers/{customer_id}/inbox/{message_id}/dismissed", inbox.post_dismissed, "ingest"
        ),
        # Providers' delivery reports: each provider's adapter checks the call is its provider's; the
        # mail server's bounces carry a key.
        Route(
            "POST",
            "/v1/callbacks/email",
            callbacks.post_email_callback,
            "ingest",
            {"include_in_schema": False},
        ),
        Route("POST", "/v1/callbacks/{provider}", callbacks.post_callback, None, _hidden),
        # The links inside messages: open to whoever holds one, checked by their signature.
        Route("GET", "/t/o/{message_id}/{signature}", tracking.open_pixel, None, _hidden),
        Route("GET", "/t/c/{message_id}/{signature}", tracking.click, None, _hidden),
        Route("GET", "/u/{message_id}/{signature}", tracking.unsubscribe_page, None, _hidden),
        Route("POST", "/u/{message_id}/{signature}", tracking.unsubscribe, None, _hidden),
        Route("GET", "/p/{token}/{signature}", preference_page.preference_page, None, _hidden),
        Route("POST", "/p/{token}/{signature}", preference_page.save_preferences, None, _hidden),
    )


def create_app(
    engine: Engine,
    clock: Clock,
    settings: Settings,
    consumers: Sequence[str] = (),
    report_readers: Mapping[str, tuple[ChannelName, ReportsByCallback]] | None = None,
) -> FastAPI:
    """The API over ``engine``; ``consumers`` names the log's consumers whose lag ``/v1/health``
    reports (they run in ``retentio serve``'s background loop or in ``retentio worker``);
    ``report_readers`` are the configured providers that call back with delivery reports."""
    app = FastAPI(
        title="Retentio API",
        version=__version__,
        description="Events, customers and products in; customer profiles out. See docs/api.md.",
        docs_url=None,  # add_docs_page serves it without a CDN
        redoc_url=None,
    )
    app.state.context = ApiContext(
        engine, reader(engine), clock, settings, ingest_options(settings), tuple(consumers)
    )
    app.state.report_readers = dict(report_readers or {})
    for route in routes(settings):
        _add(app, route)
    add_docs_page(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(ResponseHeaders)  # added last, so outermost: on the 413s of BodyLimit too
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(DataError, _database_refused)
    return app


def ingest_options(settings: Settings) -> IngestOptions:
    return IngestOptions(
        default_currency=settings.default_currency,
        future_tolerance=timedelta(seconds=settings.future_tolerance_seconds),
        max_batch=settings.max_batch_events,
        history_cutoff=settings.history_cutoff,
    )


def _add(app: FastAPI, route: Route) -> None:
    responses: dict[int | str, dict[str, Any]] = {
        422: {"model": ValidationErrorResponse, "description": "A field is wrong."},
        400: {"model": ErrorResponse, "description": "The body is not JSON."},
    }
    dependencies = []
    if route.scope is not None:
        dependencies.append(Depends(require_scope(route.scope)))
        responses[401] = {"model": ErrorResponse, "description": "No API key, or an unknown or revoked one."}
        responses[403] = {"model": ErrorResponse, "description": f"The key lacks the {route.scope!r} scope."}
    docs = dict(route.docs)
    responses.update(docs.pop("responses", {}))
    app.add_api_route(
        route.path,
        route.endpoint,
        methods=[route.method],
        dependencies=dependencies,
        responses=responses,
        tags=[route.endpoint.__module__.rsplit(".", 1)[-1]],
        **docs,
    )


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    """422 naming each wrong field; a body that is not JSON at all is a 400, as on ``/v1/events``."""
    assert isinstance(error, RequestValidationError)
    details = list(error.errors())
    broken = next((d for d in details if d.get("type") == "json_invalid"), None)
    if broken is not None:
        reason = (broken.get("ctx") or {}).get("error", "cannot parse")
        return JSONResponse({"detail": f"body is not valid JSON: {reason}"}, status.HTTP_400_BAD_REQUEST)
    errors = field_errors(details, skip=1)
    return JSONResponse(
        {"detail": [error.model_dump() for error in errors]}, status.HTTP_422_UNPROCESSABLE_CONTENT
    )


async def _database_unavailable(_request: Request, _error: Exception) -> JSONResponse:
    """The database is down or busy beyond the retries: nothing of the request was stored."""
    return JSONResponse(
        {"detail": "the database is unavailable; nothing was stored, retry later"},
        status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "5"},
    )


async def _database_refused(request: Request, error: Exception) -> JSONResponse:
    """A value the checks let through but the database refuses: a check is missing. The database's
    own words name tables and columns, so they go to the log, not to the client."""
    log.warning("the database refused a value (%s %s): %s", request.method, request.url.path, error)
    return JSONResponse(
        {"detail": [{"field": "body", "message": "the database refused a value; nothing was stored"}]},
        status.HTTP_422_UNPROCESSABLE_CONTENT,
    )
