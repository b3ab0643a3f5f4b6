"""A database outage that starts after the view returned still gets the clean 503 page.

Found by benchmarks/cluster.py: PostgreSQL stopped while an after_request hook (the
certificates owed by a completion) used it; Flask wrapped the error as a 500 whose page
loaded the signed-in user from the dead database, and gunicorn answered its bare 500.
"""

from __future__ import annotations

from flask import Flask, Response
from flask.testing import FlaskClient
from sqlalchemy import event, text

from elearn.extensions import db
from tests.conftest import AuthActions
from tests.factories import make_user
from tests.main.test_errors import Outage


def test_an_outage_in_an_after_request_hook_answers_the_503_page(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the 500 handler answers
    outage = Outage()
    event.listen(db.engine, "do_connect", outage)
    dying = {"now": False}

    @app.after_request
    def _database_dies_after_the_view(response: Response) -> Response:
        if dying["now"]:
            db.session.remove()  # first: give the view's connection back to the pool
            outage.start()
            db.session.execute(text("SELECT 1"))
        return response

    user = make_user(name="Peserta Sabar")
    auth.login(user.nip)
    dying["now"] = True
    response = client.get("/me")
    html = response.get_data(as_text=True)

    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "Layanan sedang tidak tersedia" in html
    assert "Traceback" not in html and "sqlite3" not in html
    dying["now"] = False
    outage.down = False
    assert client.get("/me").status_code == 200
