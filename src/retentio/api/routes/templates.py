"""``/v1/templates``: save, read, list and delete message templates, and preview one for a customer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import HTTPException, Path, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from retentio.api.deps import ClockDep, EngineDep, ReaderDep, SettingsDep
from retentio.api.schemas import NO_NUL
from retentio.loyalty import LoyaltyConfigError, load_loyalty_config
from retentio.messaging import (
    ChannelName,
    Kind,
    PreviewRefused,
    RenderFailed,
    TemplateError,
    TemplateInvalid,
    delete_template,
    links_for,
    load_template,
    preview_message,
    save_template,
    template_names,
    template_to_dict,
)

TemplateName = Annotated[str, Path(min_length=1, max_length=100, pattern=NO_NUL)]


class PreviewRequest(BaseModel):
    customer_id: Annotated[str, Field(min_length=1, max_length=128, pattern=NO_NUL)]
    channel: ChannelName = ChannelName.EMAIL
    kind: Kind = Kind.MARKETING
    variables: dict[str, Any] = Field(
        default_factory=dict, description="cart, order, products, coupon, loyalty, offer"
    )


def put_template(
    name: TemplateName, definition: dict[str, Any], engine: EngineDep, clock: ClockDep
) -> dict[str, Any]:
    """Create or replace a template: per channel, per locale bodies (docs/templates.md). A template
    that does not compile is refused with every problem named, and nothing is stored."""
    if definition.get("name", name) != name:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the body's name differs from the path's")
    try:
        with engine.begin() as connection:
            template = save_template(connection, {**definition, "name": name}, clock.now())
    except TemplateInvalid as error:
        detail = [
            {
                "field": problem.where,
                "message": problem.message
                if problem.line is None
                else f"line {problem.line}: {problem.message}",
            }
            for problem in error.problems
        ]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from None
    return template_to_dict(template)


def get_template(name: TemplateName, reader: ReaderDep) -> dict[str, Any]:
    with reader.connect() as connection:
        template = load_template(connection, name)
    if template is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no template {name!r}")
    return template_to_dict(template)


def get_templates(reader: ReaderDep) -> list[dict[str, Any]]:
    with reader.connect() as connection:
        return template_names(connection)


def delete_template_route(name: TemplateName, engine: EngineDep) -> dict[str, str]:
    with engine.begin() as connection:
        if not delete_template(connection, name):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no template {name!r}")
    return {"deleted": name}


async def post_preview(
    name: TemplateName, request: PreviewRequest, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> dict[str, Any]:
    """The template rendered for a real customer on one channel, as the worker would send it (with
    the SMS length and parts for text channels)."""
    return await run_in_threadpool(_preview, name, request, engine, clock.now(), settings)


def _preview(name: str, request: PreviewRequest, engine: Any, now: Any, settings: Any) -> dict[str, Any]:
    secret = None if settings.secret_key is None else settings.secret_key.get_secret_value()
    try:
        with engine.begin() as connection:
            links = links_for(connection, settings.public_url, secret, now)
            return preview_message(
                connection,
                name,
                request.customer_id,
                request.channel,
                request.variables,
                links,
                settings.default_currency,
                now,
                request.kind,
                load_loyalty_config(settings.loyalty_config).main,
            )
    except PreviewRefused as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    except LoyaltyConfigError as error:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, str(error)) from None
    except (RenderFailed, TemplateError) as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
