"""WSGI entry point for gunicorn: ``gunicorn web.wsgi:app``."""

import gc

from factcheck import logs
from web import create_app

logs.configure()
app = create_app()
# The app's own objects live as long as the process: out of the collector's sight,
# a full collection scans only what requests leave behind, and pauses a request less.
gc.freeze()
