"""WSGI entry point: ``flask --app wsgi run`` or ``gunicorn wsgi:app``."""

import gc

from elearn import create_app

app = create_app()

# The application's own objects (models, mappers, routes, catalogues) live as long as the
# worker. Freezing them keeps the garbage collector's full passes, which a page's ORM
# objects trigger often, from walking them again and again (about a fifth of a page's time).
gc.collect()
gc.freeze()
