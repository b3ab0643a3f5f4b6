"""Templates' ``_`` keeps Jinja's newstyle rules: escaped variables, "%%" reads "%"."""

from flask import Flask, render_template_string
from flask_babel import force_locale


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
