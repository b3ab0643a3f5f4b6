"""Templates' ``_`` keeps Jinja's newstyle rules: escaped variables, "%%" reads "%"."""

import pytest
from flask import Flask, render_template_string
from flask_babel import Domain, force_locale
from jinja2.runtime import Context


def test_template_gettext_formats_escapes_and_follows_the_locale(app: Flask):
    with app.test_request_context("/"):
        assert render_template_string('{{ _("Skor: %(p)d%%", p=80) }}') == "Skor: 80%"
        assert render_template_string('{{ _("27%% nilai") }}') == "27% nilai"
        assert render_template_string('{{ _("Halo %(n)s", n="<b>") }}') == "Halo &lt;b&gt;"
        assert render_template_string('{{ gettext("Beranda") }}') == "Beranda"
        with force_locale("en"):
            assert render_template_string('{{ _("Beranda") }}') == "Home"
        assert render_template_string('{% trans n="<i>" %}Halo {{ n }}{% endtrans %}') == (
            "Halo &lt;i&gt;"
        )


def test_template_gettext_in_loops_and_blocks_copies_no_context(
    app: Flask, monkeypatch: pytest.MonkeyPatch
):
    """Inside a loop or after a block's ``set``, ``_`` translates and escapes as anywhere
    else without Jinja copying the page's whole context for each string."""
    copies: list[object] = []
    derived = Context.derived
    monkeypatch.setattr(Context, "derived", lambda self, *a: copies.append(1) or derived(self, *a))
    page = (
        '{% block content %}{% set who = "<b>" %}{{ _("Beranda") }};'
        '{% for n in [1, 2] %}{% set n = who %}{{ _("Halo %(n)s", n=n) }};{% endfor %}'
        "{% endblock %}"
    )
    with app.test_request_context("/"):
        assert render_template_string(page) == "Beranda;Halo &lt;b&gt;;Halo &lt;b&gt;;"
        with force_locale("en"):
            assert render_template_string(page) == "Home;Halo &lt;b&gt;;Halo &lt;b&gt;;"
    assert copies == []


def test_catalog_labels_come_from_the_requests_catalogue(
    app: Flask, monkeypatch: pytest.MonkeyPatch
):
    """Category and competency labels follow the page's language, read from the catalogue
    the request already looked up rather than looked up again for each label."""
    lookups: list[str] = []
    gettext = Domain.gettext
    monkeypatch.setattr(
        Domain, "gettext", lambda self, s, **v: lookups.append(s) or gettext(self, s, **v)
    )
    page = (
        '{{ "teknis"|competency_label }} · {{ "manajemen-proyek"|category_label }}'
        ' · {{ "tata-kelola-data"|category_label }}'
    )
    with app.test_request_context("/"):
        assert render_template_string(page) == "Teknis · Manajemen proyek · Tata kelola data"
        with force_locale("en"):
            assert (
                render_template_string(page) == "Technical · Project management · Tata kelola data"
            )
    assert lookups == []
