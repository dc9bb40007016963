"""WSGI entry point for gunicorn: ``gunicorn web.wsgi:app``."""

from factcheck import logs
from web import create_app

logs.configure()
app = create_app()
