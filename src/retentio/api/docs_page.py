"""The interactive API page, ``/docs``: Swagger UI served from the package, not from a CDN.

A page that loads its scripts from another host breaks where the server has no way out, and lets
that host run code next to the API keys people paste into the page. The files are those of the npm
package ``swagger-ui-dist`` (see ``swagger_ui/README.md``): FastAPI's own page asks for version 5,
the first to read OpenAPI 3.1, which FastAPI writes.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"


def add_docs_page(app: FastAPI) -> None:
    """``/docs`` and its files under ``/docs/assets`` (the app is made with ``docs_url=None``)."""
    app.mount(ASSETS, StaticFiles(packages=[("retentio.api", "swagger_ui")]), name="swagger-ui")
    page = get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=f"{app.title} — docs",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        # The validator badge would send the schema's address to the validator's own host.
        swagger_ui_parameters={"validatorUrl": None},
    )

    async def docs_page(_request: Request) -> HTMLResponse:
        return page

    app.add_route("/docs", docs_page, include_in_schema=False)  # GET and HEAD, as FastAPI's own
