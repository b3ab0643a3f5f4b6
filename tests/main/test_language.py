"""No page mixes the two languages: every page each role visits, read in Indonesian and English.

An Indonesian page must not show an English translation from the catalogue (a string that
skipped gettext, or a hard-coded English one), and an English page must not show an
Indonesian message that has an English translation (a string never marked, or marked where
the translation is not looked up, e.g. at import time).

What is compared: the page's visible text (text nodes, and the aria-label, title, alt and
placeholder attributes), without what people wrote (course content in ``.prose``, and the
titles, names, units and reasons stored in the database) and without elements marked with
another ``lang`` (the language switch). The catalogue's strings are cut at their
placeholders (``%(name)s``) into fragments, and a fragment is compared only when it has at
least two words or twelve characters: one short word ("Status", "Menu", "NIP") is often the
same in both languages, and a longer fragment that is the same in both (a fragment of some
msgid that is also a fragment of some msgstr) is never compared either. A fragment counts as
found only as a whole run of words, so "Simpan" does not match inside "Simpanan".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from elearn.assignments.service import AssignmentData, create_assignment
from elearn.assignments.targets import Target
from elearn.certificates.issuance import find_certificate, issue_owed_certificates
from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.demo.cli import DEMO_PASSWORD
from elearn.extensions import db
from elearn.learning.attempts import start_attempt, submit_attempt
from elearn.learning.enrollment import enroll
from elearn.learning.evaluation import submit_evaluation
from elearn.learning.progress import complete_module
from elearn.models import (
    Assignment,
    CourseItem,
    CourseVersion,
    ExternalTraining,
    ItemKind,
    ProgramVersion,
    Reminder,
    TargetKind,
    Unit,
    User,
)
from elearn.records.trainings import TrainingReport, add_training
from elearn.reminders.create import create_deadline_reminders
from elearn.reminders.windows import deadline_windows
from elearn.settings import current_settings
from tests.conftest import csrf_token, sqlite_app
from tests.content.course_fixtures import write_course

CATALOGUE = Path(__file__).resolve().parents[2] / "elearn/translations/en/LC_MESSAGES/messages.po"
MIN_WORDS = 2
MIN_CHARS = 12
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdfi]|%[sdfi]|%%|\{[a-z_]*\}")
WORD = re.compile(r"[^\W\d_]", re.UNICODE)  # a letter

LEARNER = "198609262015051001"  # Andi Pratama, Palu (demo)
COORDINATOR = "198011052006041004"  # Siti Rahmawati, coordinator of Palu
EVALUATOR = "197912302005011006"  # Dewi Lestari, evaluator of Palu
ADMIN = "197605112000031008"  # Admin eLearn
SLUG = "uji-bahasa"


# -- the catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The fragments that give a language away."""

    english: frozenset[str]  # from translations that differ from their msgid
    indonesian: frozenset[str]  # from msgids that have a different English translation


def fragments(message: str) -> set[str]:
    """The parts of ``message`` between placeholders and markup that are worth comparing."""
    found = set()
    for part in PLACEHOLDER.split(re.sub(r"<[^>]+>", "\n", message)):
        for line in part.split("\n"):
            text = " ".join(line.split()).strip(" .,:;·()—–-→←?!\"'“”")
            words = [w for w in text.split() if WORD.search(w)]
            if len(words) >= MIN_WORDS or (words and len(text) >= MIN_CHARS):
                found.add(text)
    return found


def load_vocabulary() -> Vocabulary:
    """Read the English catalogue into the two sets of tell-tale fragments."""
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    english: set[str] = set()
    indonesian: set[str] = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid, msgstr in zip(ids, strings, strict=False):
            if msgstr and msgstr != msgid:
                english |= fragments(msgstr)
                indonesian |= fragments(msgid)
    shared = english & indonesian  # "Open Badges", "eLearn ASN", …
    return Vocabulary(frozenset(english - shared), frozenset(indonesian - shared))


# -- the page's text ----------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
SKIPPED = {"script", "style"}
ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")


class VisibleText(HTMLParser):
    """Collects text a person sees or hears, one piece per text node or attribute."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.pieces: list[str] = []
        self._open: list[bool] = []  # per open element: is it (or an ancestor) skipped?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skipped = bool(self._open and self._open[-1])
        classes = (values.get("class") or "").split()
        lang = values.get("lang")
        if tag in SKIPPED or "prose" in classes or (lang and lang != self.language):
            skipped = True
        if not skipped:
            self.pieces += [v for k in ATTRIBUTES if (v := values.get(k))]
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.pieces.append(values.get("value") or "")
        if tag not in VOID:
            self._open.append(skipped)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._open.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if not (self._open and self._open[-1]):
            self.pieces.append(data)


def visible_text(html: str, language: str, people_wrote: list[str]) -> list[str]:
    """The page's visible pieces of text, with what people wrote cut out (whole words)."""
    parser = VisibleText(language)
    parser.feed(html)
    parser.close()
    written = [w for w in people_wrote if len(w) >= 3 and WORD.search(w)]
    pattern = "|".join(re.escape(w) for w in sorted(written, key=len, reverse=True))
    cut = re.compile(rf"(?<!\w)(?:{pattern})(?!\w)") if pattern else None
    pieces = []
    for piece in parser.pieces:
        text = " ".join(unescape(piece).split())
        if cut is not None:
            text = cut.sub(" ¦ ", text)
        if text.strip(" ¦"):
            pieces.append(text)
    return pieces


def leaks(pieces: list[str], tell_tales: frozenset[str]) -> set[str]:
    """The tell-tale fragments found as whole runs of words in ``pieces``."""
    found = set()
    for piece in pieces:
        for fragment in tell_tales:
            if fragment in piece and re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", piece):
                found.add(fragment)
    return found


# -- the data the pages show ------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """The app with demo data, and the URLs of pages that have something in them."""

    app: Flask
    learner: tuple[str, ...]
    coordinator: tuple[str, ...]
    evaluator: tuple[str, ...]
    admin: tuple[str, ...]
    people_wrote: list[str]


def _by_nip(nip: str) -> User:
    user = db.session.scalar(select(User).where(User.nip == nip))
    assert user is not None, nip
    return user


def _right_answers(item: CourseItem) -> dict[str, list[str]]:
    """Form fields answering the small test course's quizzes right."""
    form: dict[str, list[str]] = {}
    for q in (item.quiz or {})["questions"]:
        field, kind = f"q-{q['key']}", q["kind"]
        if kind in ("single", "multiple"):
            form[field] = [str(i) for i, c in enumerate(q["choices"]) if c["fraction"] > 0]
        elif kind == "truefalse":
            form[field] = ["true" if q["true_false"]["correct"] else "false"]
        elif kind == "numeric":
            form[field] = [f"{q['numeric_answers'][0]['value']:g}"]
        else:
            raise AssertionError(f"no right answer known for a {kind} question")
    return form


def _seed(app: Flask, tmp: Path) -> Site:
    """Demo data, then a learner who has done everything the learner pages show."""
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    settings = current_settings()
    learning = settings.learning
    palu = db.session.scalar(select(Unit).where(Unit.code == "palu"))
    aptika = db.session.scalar(select(Unit).where(Unit.code == "palu-kominfo-aptika"))
    assert palu is not None and aptika is not None
    learner, coordinator = _by_nip(LEARNER), _by_nip(COORDINATOR)
    version = store_version(parse_course(write_course(tmp, SLUG)), unit=palu, actor=None,
                            publish=True).version  # fmt: skip
    course = version.course
    # A mandatory course, due in three days, and the reminder it brings.
    other = db.session.scalar(
        select(CourseVersion).where(CourseVersion.title.like("Administrasi%"))
    )
    assert other is not None
    today = date.today()
    assignment = create_assignment(
        AssignmentData(
            course_id=other.course_id,
            reason="Wajib: Administrasi Digital 2026",
            starts_on=today,
            due_on=today + timedelta(days=3),
            targets=[Target(TargetKind.UNIT, unit_id=aptika.id, include_subunits=True)],
        ),
        coordinator,
        settings,
        datetime.now(UTC),
    )
    db.session.commit()
    # The "due in three days" reminder (flask reminders run makes it the same way).
    windows = deadline_windows(today, settings.reminders)
    create_deadline_reminders([aptika.id], today, windows, datetime.now(UTC))
    db.session.commit()
    assert db.session.scalar(select(Reminder.id).where(Reminder.user_id == learner.id))

    # The test course: a failed attempt, then everything passed; a certificate, an evaluation.
    enrollment = enroll(learner, course)
    items = enrollment.version.items
    quiz = next(i for i in items if i.kind != ItemKind.MODULE)
    module = next(i for i in items if i.kind == ItemKind.MODULE)
    failed = start_attempt(enrollment, quiz, learning=learning)
    submit_attempt(failed, {}, learning=learning)
    for item in items:
        if item.kind == ItemKind.MODULE:
            complete_module(enrollment, item, learning=learning)
        else:
            attempt = start_attempt(enrollment, item, learning=learning)
            submit_attempt(attempt, _right_answers(item), learning=learning)
    assert enrollment.completed_at is not None
    db.session.commit()
    issue_owed_certificates(settings)
    certificate = find_certificate(enrollment)
    assert certificate is not None
    submit_evaluation(enrollment, relevance=5, clarity=4, applicability=4, comment="Jelas.")
    # An open attempt in the assigned course, and an external training to review.
    assigned = enroll(learner, other.course)
    open_quiz = next(i for i in assigned.version.items if i.kind != ItemKind.MODULE)
    open_attempt = start_attempt(assigned, open_quiz, learning=learning)
    add_training(
        learner,
        TrainingReport(
            name="Bimtek Penyusunan Anggaran",
            organiser="BPSDM Provinsi Sulawesi Tengah",
            route="pelatihan-teknis",
            competency="teknis",
            started_on=today,
            finished_on=today,
            jp=4,
            certificate_number="123/BKPSDM/2026",
            evidence_name="bukti.png",
            evidence=b"\x89PNG\r\n\x1a\n" + b"\0" * 16,
        ),  # fmt: skip
        max_bytes=2**20,
    )
    db.session.commit()
    learn = f"/learn/{SLUG}"
    return Site(
        app=app,
        learner=(
            "/",
            "/me",
            "/courses/",
            f"/courses/{SLUG}",
            f"/courses/{other.course.slug}",
            f"{learn}/{module.name}",
            f"{learn}/{quiz.name}",
            f"{learn}/{quiz.name}/attempts/1",
            f"{learn}/{quiz.name}/attempts/2",
            f"{learn}/done",
            f"{learn}/evaluation",
            f"/learn/{other.course.slug}/{open_quiz.name}/attempts/{open_attempt.number}",
            f"/certificates/{certificate.code}",
            "/me/records",
            "/me/records/new",
            "/me/notifications",
            "/account/password",
        ),
        coordinator=(
            "/coordinator/courses",
            f"/coordinator/courses/{SLUG}",
            f"/coordinator/courses/{SLUG}/v/{version.number}",
            "/coordinator/assignments/",
            "/coordinator/assignments/new",
            f"/coordinator/assignments/{assignment.id}",
            "/records/review",
            "/records/learners",
            f"/records/learners/{learner.id}",
            "/reports/jp-duty",
        ),
        evaluator=(
            "/reports/",
            "/reports/evaluations",
            f"/reports/evaluations/{SLUG}",
            "/reports/jp-duty",
            f"/reports/jp-duty/units/{aptika.id}",
            "/reports/export/",
        ),
        admin=(
            "/admin/users",
            f"/admin/users/{learner.id}",
            "/admin/users/new",
            "/admin/users/import",
            "/admin/units",
            f"/admin/units/{aptika.id}",
            "/admin/units/new",
            "/reports/audit",
            "/admin/jobs/",
            "/account/tokens",
        ),  # fmt: skip
        people_wrote=_people_wrote(),
    )


def _people_wrote() -> list[str]:
    """Everything stored that people wrote, longest first (so a title goes before its part)."""
    texts: set[str] = set()
    for statement in (
        select(CourseVersion.title), select(CourseVersion.summary), select(CourseItem.title),
        select(Unit.name), select(User.full_name), select(Assignment.reason),
        select(ExternalTraining.name), select(ExternalTraining.organiser),
        select(ProgramVersion.title), select(ProgramVersion.description),
    ):  # fmt: skip
        texts |= {" ".join(t.split()) for t in db.session.scalars(statement) if t}
    for quiz in db.session.scalars(select(CourseItem.quiz)):
        texts |= set(_strings_in(quiz))  # questions, choices, feedback: what the author wrote
    return sorted(texts, key=len, reverse=True)


def _strings_in(value: object) -> Iterator[str]:
    """Every piece of text in a stored quiz, its markup taken off."""
    if isinstance(value, str):
        if re.fullmatch(r"[a-z_]+", value):
            return  # a kind or a key ("single", "short"), not the author's words
        for piece in re.split(r"<[^>]+>", unescape(value)):
            if piece := " ".join(piece.split()):
                yield piece
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """An app on SQLite with the demo data and one learner's full history."""
    tmp = tmp_path_factory.mktemp("language")
    for app in sqlite_app(tmp / "language.sqlite"):
        yield _seed(app, tmp)


def signed_in(site: Site, nip: str, language: str) -> FlaskClient:
    """A client that picks ``language`` on the sign-in page, then signs in as ``nip``."""
    client = site.app.test_client()
    token = csrf_token(client, "/login")
    client.post(f"/language/{language}", data={"csrf_token": token, "next": "/login"})
    response = client.post(
        "/login", data={"login": nip, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def page_problems(site: Site, client: FlaskClient, urls: tuple[str, ...], language: str,
                  tell_tales: frozenset[str]) -> list[str]:  # fmt: skip
    """Every tell-tale fragment found on each of ``urls``, one line per page."""
    problems = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        html = response.get_data(as_text=True)
        assert f'<html lang="{language}">' in html, url
        found = leaks(visible_text(html, language, site.people_wrote), tell_tales)
        if found:
            problems.append(f"{url} ({language}): " + " | ".join(sorted(found)))
    return problems


ROLES = {"learner": LEARNER, "coordinator": COORDINATOR, "evaluator": EVALUATOR, "admin": ADMIN}


@pytest.mark.parametrize("role", ROLES)
def test_indonesian_pages_show_no_english(site: Site, role: str) -> None:
    vocabulary = load_vocabulary()
    client = signed_in(site, ROLES[role], "id")
    urls: tuple[str, ...] = getattr(site, role)
    problems = page_problems(site, client, urls, "id", vocabulary.english)
    assert not problems, "English on Indonesian pages:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_english_pages_show_no_untranslated_indonesian(site: Site, role: str) -> None:
    vocabulary = load_vocabulary()
    client = signed_in(site, ROLES[role], "en")
    urls: tuple[str, ...] = getattr(site, role)
    problems = page_problems(site, client, urls, "en", vocabulary.indonesian)
    assert not problems, "Indonesian on English pages:\n" + "\n".join(problems)


def test_public_pages_in_both_languages(site: Site) -> None:
    vocabulary = load_vocabulary()
    problems = []
    for language, tell_tales in (("id", vocabulary.english), ("en", vocabulary.indonesian)):
        client = site.app.test_client()
        token = csrf_token(client, "/login")
        client.post(f"/language/{language}", data={"csrf_token": token, "next": "/login"})
        problems += page_problems(site, client, ("/", "/login"), language, tell_tales)
    assert not problems, "\n".join(problems)


def test_the_comparison_finds_leaks_and_ignores_what_it_should() -> None:
    vocabulary = load_vocabulary()
    assert len(vocabulary.english) > 300 and len(vocabulary.indonesian) > 300
    assert "Download CSV" in vocabulary.english and "Unduh CSV" in vocabulary.indonesian
    assert "Status" not in vocabulary.english  # one word, the same in both
    assert fragments("Wajib · tenggat %(date)s") == {"Wajib · tenggat"}
    page = (
        '<html lang="id"><body><a href="/">Download CSV</a>'
        '<button aria-label="Sign out">x</button><div class="prose"><p>Download CSV</p></div>'
        '<form><button lang="en">English</button></form><p>Simpanan anggota</p>'
        "<p>Kursus: Download CSV Cepat</p></body></html>"
    )
    pieces = visible_text(page, "id", ["Download CSV Cepat"])
    assert leaks(pieces, vocabulary.english) >= {"Download CSV", "Sign out"}
    assert sum("Download CSV" in p for p in pieces) == 1  # not in .prose, not in the title
    english_page = '<html lang="en"><body><p>Kata sandi baru</p><p>Simpanan</p></body></html>'
    found = leaks(visible_text(english_page, "en", []), vocabulary.indonesian)
    assert "Kata sandi baru" in found and not any("Simpan" == f for f in found)


def test_a_refused_assignment_says_why_in_the_readers_language(site: Site) -> None:
    course = db.session.scalar(
        select(CourseVersion.course_id).where(CourseVersion.title.like("Administrasi%"))
    )
    unit = db.session.scalar(select(Unit.id).where(Unit.code == "palu-kominfo-aptika"))
    for language, expected, other in (
        ("id", "Tenggat tidak boleh sebelum tanggal mulai.", "The due date cannot be before"),
        ("en", "The due date cannot be before the start date.", "Tenggat tidak boleh"),
    ):
        client = signed_in(site, COORDINATOR, language)
        token = csrf_token(client, "/coordinator/assignments/new")
        form = {
            "csrf_token": token, "course_id": str(course), "reason": "Wajib 2026",
            "starts_on": "2026-12-20", "due_on": "2026-12-10", "target": "unit",
            "unit_id": str(unit), "include_subunits": "y",
        }  # fmt: skip
        page = client.post("/coordinator/assignments/new", data=form).get_data(as_text=True)
        assert expected in page and other not in page, language
