"""The SPARQL endpoint web app (Flask application factory)."""

from __future__ import annotations

import atexit
import logging

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader

from .settings import DEFAULTS

log = logging.getLogger("policykg.server")


def create_app(config: dict | None = None) -> Flask:
    """Create the app: open the dataset once (worker pool or remote backend) and register the blueprints."""
    app = Flask(__name__)
    # The site's templates first, then the project's (policykg/templates: pages shared with the command line).
    app.jinja_loader = ChoiceLoader([PackageLoader("policykg.server", "templates"),
                                     PackageLoader("policykg", "templates")])
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.update(config)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from .state import open_state

    state = open_state(app.config)
    app.extensions["policykg"] = state
    atexit.register(state.close)

    from . import errors, health, hooks
    from .pages import downloads, query_page
    from .pages import resources as pages
    from .protocol import sparql

    errors.register(app)
    hooks.register(app)
    for module in (sparql, downloads, health, pages, query_page):
        app.register_blueprint(module.bp)
    pages.register_instance_routes(app, [v["name"] for v in state.manifest.versions] if state.manifest else [])
    from .protocol.fastlane import FastLane

    app.wsgi_app = FastLane(app.wsgi_app, state, app.config)  # type: ignore[method-assign]
    return app
