"""Swagger UI served from the `swagger-ui-bundle-v2` package: /docs works offline.

The spec is OpenAPI 3.1, which Swagger UI renders from version 5 on; the old
`swagger-ui-bundle` 1.1 ships 4.15 and shows "Unable to render this
definition". Both packages provide the module `swagger_ui_bundle`.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS = Path(swagger_ui_bundle.swagger_ui_path)


def install(app: FastAPI) -> None:
    app.mount("/docs/static", StaticFiles(directory=ASSETS), name="swagger-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="followup API",
            swagger_js_url="/docs/static/swagger-ui-bundle.js",
            swagger_css_url="/docs/static/swagger-ui.css",
            swagger_favicon_url="/docs/static/favicon-32x32.png",
        )
