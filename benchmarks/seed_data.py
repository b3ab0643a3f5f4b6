"""Rows for benchmarks/seed_scale.py: the catalogue through the content pipeline, learners in bulk.

The catalogue (units, courses, versions) goes through the application's own services so it is
exactly what a deployment holds. Learners, enrolments, attempts, certificates and evaluations
are generated as plain tuples, ready for COPY (PostgreSQL) or executemany (SQLite); their
quiz papers and results come from the real ``draw_paper`` and ``score_attempt``.
"""

from __future__ import annotations

import dataclasses
import json
import random
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from benchmarks.seed_tally import PER_LEARNER, Tally
from elearn.accounts.passwords import hash_password
from elearn.certificates.signing import b64url_encode
from elearn.content.parse import parse_course
from elearn.content.publish import render_course, store_version
from elearn.extensions import db
from elearn.learning.paper import draw_paper
from elearn.learning.scoring import score_attempt
from elearn.models import CourseItem, CourseVersion, ItemKind, Unit, UnitKind

ROOT = Path(__file__).resolve().parents[1]
ZONE = "Asia/Makassar"
INSTANSI = [
    ("sulteng", "Pemerintah Provinsi Sulawesi Tengah"),
    ("palu", "Pemerintah Kota Palu"),
    ("donggala", "Pemerintah Kabupaten Donggala"),
]
PERANGKAT = ["bkpsdm", "bappeda", "dinkes", "disdik", "dpmptsp", "dukcapil", "bpkad", "inspektorat"]
TEMPLATES_PER_QUIZ = 24


@dataclass
class Quiz:
    item_id: int
    title: str
    passing: list[tuple[str, str, str, float, bool]] = field(default_factory=list)
    failing: list[tuple[str, str, str, float, bool]] = field(default_factory=list)
    either: list[tuple[str, str, str, float, bool]] = field(default_factory=list)  # both


@dataclass
class Version:
    id: int
    course_id: int
    slug: str
    title: str
    label: str  # "v1 · abc123", as on the certificate
    competency: str
    jp: int
    certificate: bool
    quizzes: list[Quiz]


def build_units() -> list[int]:
    """3 instansi × (1 + 8 perangkat daerah + 16 unit kerja); return the ids learners sit in."""
    seats = []
    for code, name in INSTANSI:
        root = Unit(code=code, name=name, kind=UnitKind.INSTANSI, timezone=ZONE)
        db.session.add(root)
        for pd in PERANGKAT:
            office = Unit(
                code=f"{code}-{pd}", name=pd.upper(), kind=UnitKind.PERANGKAT_DAERAH, parent=root
            )
            db.session.add(office)
            for part in ("sekretariat", "bidang-1"):
                db.session.add(
                    Unit(
                        code=f"{code}-{pd}-{part}",
                        name=part.replace("-", " ").title(),
                        kind=UnitKind.UNIT_KERJA,
                        parent=office,
                    )
                )
    db.session.flush()
    seats = db.session.scalars(select(Unit.id).where(Unit.parent_id.is_not(None))).all()
    db.session.commit()
    return list(seats)


def publish_catalogue(per_learner: int) -> None:
    """The sample courses, copies of them under other slugs, and a second version of one."""
    folders = sorted((ROOT / "courses").iterdir())
    # Program folders (program.md) are not courses.
    samples = [parse_course(path) for path in folders if (path / "course.md").exists()]
    rendered = [render_course(parsed) for parsed in samples]  # copies share the rendering
    copies = max(1, -(-(per_learner + 2) // len(samples)))
    for n in range(1, copies + 1):
        for parsed, html in zip(samples, rendered, strict=True):
            if n > 1:
                meta = dataclasses.replace(parsed.meta, title=f"{parsed.meta.title} ({n})")
                parsed = dataclasses.replace(parsed, slug=f"{parsed.slug}-{n}", meta=meta)
            store_version(parsed, unit=None, actor=None, publish=True, rendered=html)
    first = samples[0]
    revised = dataclasses.replace(
        first,
        overview=first.overview + "\n\nDiperbarui untuk tahun ini.",
        content_hash=first.content_hash[:-8] + "00000002",
    )
    store_version(revised, unit=None, actor=None, publish=True)
    db.session.commit()


def _right_answer(question: dict[str, Any]) -> Any:
    kind = question["kind"]
    if kind == "single":
        return str(max(enumerate(question["choices"]), key=lambda c: c[1]["fraction"])[0])
    if kind == "multiple":
        return [str(i) for i, c in enumerate(question["choices"]) if c["fraction"] > 0]
    if kind == "truefalse":
        return "true" if question["true_false"]["correct"] else "false"
    if kind == "short":
        return max(question["short_answers"], key=lambda a: a["fraction"])["text"]
    if kind == "numeric":
        return str(question["numeric_answers"][0]["value"])
    if kind == "matching":
        return {str(i): p["answer"] for i, p in enumerate(question["pairs"]) if p["prompt_html"]}
    return None


def quiz_templates(item: CourseItem, rng: random.Random) -> Quiz:
    """Papers drawn and scored by the application's own functions, some right, some not."""
    quiz = Quiz(item.id, item.title)
    record = item.quiz or {}
    by_key = {q["key"]: q for q in record["questions"]}
    for n in range(TEMPLATES_PER_QUIZ * 4):
        paper = draw_paper(record, rng)
        skill = 1.0 if n == 0 else rng.uniform(0.3, 1.0)
        answers = {e["key"]: _right_answer(by_key[e["key"]]) for e in paper if rng.random() < skill}
        answers = {k: v for k, v in answers.items() if v is not None}
        scored = score_attempt(record, paper, answers)
        row = (
            json.dumps(paper),
            json.dumps(answers),
            json.dumps([dataclasses.asdict(r) for r in scored.results]),
            scored.percent,
            scored.passed,
        )
        kept = quiz.passing if scored.passed else quiz.failing
        if len(kept) < TEMPLATES_PER_QUIZ:
            kept.append(row)
    if not quiz.passing or not quiz.failing:
        raise SystemExit(f"{item.title}: no passing or no failing paper drawn")
    quiz.either = quiz.failing + quiz.passing
    return quiz


def load_versions(rng: random.Random) -> dict[int, list[Version]]:
    """Every version of every course, oldest first, with its quizzes' paper templates."""
    found: dict[int, list[Version]] = {}
    for version in db.session.scalars(select(CourseVersion).order_by(CourseVersion.id)):
        quizzes = [
            quiz_templates(item, rng) for item in version.items if item.kind == ItemKind.QUIZ
        ]
        found.setdefault(version.course_id, []).append(
            Version(
                version.id,
                version.course_id,
                version.course.slug,
                version.title,
                f"v{version.number} · {version.short_hash}",
                version.competency,
                version.jp,
                version.certificate,
                quizzes,
            )
        )
    return found


_DAYS: dict[int, str] = {}
_CLOCK = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]


def timestamp(seconds: float) -> str:
    """UTC text both databases read (SQLite as SQLAlchemy writes it; PostgreSQL in UTC)."""
    # strftime costs ~10 µs here; tens of millions of timestamps are cut from cached parts.
    whole = int(seconds)
    day, second = divmod(whole, 86400)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d ")
    return f"{prefix}{_CLOCK[second]}.{int((seconds - whole) * 1e6):06d}"


_MONTHS: dict[int, str] = {}
NOT_COMPLETED = "9999-12-01"  # elearn.models.rollup.NOT_COMPLETED


def month_key(seconds: float) -> str:
    """The first day of the UTC month of a time (the span rollups' key), cached per day."""
    day = int(seconds) // 86400
    found = _MONTHS.get(day)
    if found is None:
        found = _MONTHS[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-01")
    return found


_LOCAL_DAYS: dict[int, tuple[str, int]] = {}


def local_day(seconds: float) -> tuple[str, int]:
    """The date (ISO) and year in ZONE at a time; cached per hour (zone offsets are whole hours)."""
    hour = int(seconds // 3600)
    found = _LOCAL_DAYS.get(hour)
    if found is None:
        local = datetime.fromtimestamp(hour * 3600, ZoneInfo(ZONE))
        found = _LOCAL_DAYS[hour] = (local.date().isoformat(), local.year)
    return found


@dataclass
class Counters:
    """Running ids and the certificate numbers handed out per year."""

    user: int = 0
    enrollment: int = 0
    attempt: int = 0
    certificate: int = 0
    evaluation: int = 0
    external: int = 0
    sequence: dict[int, int] = field(default_factory=dict)


@dataclass
class Signer:
    """Signs the first ``real`` payloads; later ones reuse the last signature (see docs)."""

    key: Any
    key_id: str
    real: int
    signed: int = 0
    last: str = ""
    seconds: float = 0.0  # CPU spent signing

    @property
    def wants_payload(self) -> bool:
        """Whether the next certificate is signed for real (else it reuses ``last``)."""
        return self.signed < self.real or not self.last

    def sign(self, payload: dict[str, Any]) -> str:
        if self.signed < self.real or not self.last:
            begun = time.thread_time()
            # Flat str/int/None payload: sorted compact json.dumps is its RFC 8785 form.
            text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            self.last = b64url_encode(self.key.sign(text.encode()))
            self.signed += 1
            self.seconds += time.thread_time() - begun
        return self.last


@dataclass
class Plan:
    now: float
    units: list[int]
    instansi_of: dict[int, str]
    versions: dict[int, list[Version]]
    per_learner: int
    signer: Signer
    settings: dict[str, str]
    password_hash: str = field(default_factory=lambda: hash_password("Sandi-Benchmark-2026"))
    # Attempts per (unit, version, quiz title, enrolment completed, id of the paper template):
    # the score rollups are summed from these instead of expanding every attempt's JSON.
    scores: Counter[tuple[int, int, str, bool, int]] = field(default_factory=Counter)
    # The same per (span score nodes, version, quiz title, enrolled month, completed month,
    # template) for score_span_count; the nodes of each unit (rollups.nodes_by_unit).
    nodes_of: dict[int, tuple[int, ...]] = field(default_factory=dict)
    span_scores: Counter[tuple[tuple[int, ...], int, str, str, str, int]] = field(
        default_factory=Counter
    )
    tally: Tally = field(default_factory=Tally)  # the other rollups
    revoke_every: int = 0  # certificates with an id divisible by it are revoked
    # The certificate payload's JSON text per (unit, version), and for the issuer.
    payload_parts: dict[Any, str] = field(default_factory=dict)


Rows = dict[str, list[tuple[Any, ...]]]


def learner_rows(plan: Plan, index: int, ids: Counters, rng: random.Random, rows: Rows) -> None:
    """One learner and everything they did, appended to ``rows`` per table."""
    ids.user += 1
    uid = ids.user
    unit_id = plan.units[index % len(plan.units)]
    created = plan.now - 800 * 86400 + rng.random() * 60 * 86400
    name = f"Peserta {index:07d}"
    nip = f"{198001012010011000 + index:018d}"
    rows["user_account"].append(
        (uid, nip, name, None, "PNS", unit_id, "Analis", "III/a", plan.password_hash, False,
         secrets.token_urlsafe(32), rng.random() > 0.02, None, timestamp(created), None)
    )  # fmt: skip
    rows["role_grant"].append((uid, "learner"))
    courses = list(plan.versions)
    start = rng.randrange(len(courses))
    for k in range(plan.per_learner):
        course_id = courses[(start + k) % len(courses)]
        _enrolment(plan, uid, name, nip, unit_id, course_id, ids, rng, rows)
    external = None
    if rng.random() < 0.15:
        ids.external += 1
        year = datetime.fromtimestamp(plan.now, UTC).year
        day = f"{year}-01-{rng.randint(2, 28):02d}"
        status = "verified" if rng.random() < 0.8 else "pending"
        jp = rng.randint(2, 24)
        rows["external_training"].append(
            (ids.external, uid, "Pelatihan Teknis", "BPSDM Provinsi", "pelatihan", "teknis",
             day, day, jp, "", "bukti.pdf", "application/pdf", b"%PDF-1.4\n",
             status, timestamp(plan.now - 86400), None, None, "")
        )  # fmt: skip
        if status == "verified":
            external = (year, jp)
    active = rows["user_account"][-1][11]
    plan.tally.learner(uid, unit_id, active, external, rows)


def _enrolment(
    plan: Plan, uid: int, name: str, nip: str, unit_id: int, course_id: int,
    ids: Counters, rng: random.Random, rows: Rows,
) -> None:  # fmt: skip
    ids.enrollment += 1
    eid = ids.enrollment
    enrolled = plan.now - rng.random() * 730 * 86400
    versions = plan.versions[course_id]
    # A course with a newer version: enrolments of the last 120 days study it.
    version = versions[-1] if enrolled > plan.now - 120 * 86400 else versions[0]
    completed = None
    if rng.random() < 0.6:
        completed = enrolled + rng.random() * min(60 * 86400, plan.now - enrolled)
    started = timestamp(enrolled)
    finished = None if completed is None else timestamp(completed)
    rows["enrollment"].append(
        (eid, uid, unit_id, course_id, version.id, started, finished, None, None,
         finished or started)
    )  # fmt: skip
    at = enrolled + 3600
    best = []
    span = (
        plan.nodes_of[unit_id],
        version.id,
        month_key(enrolled),
        NOT_COMPLETED if completed is None else month_key(completed),
    )
    for position, quiz in enumerate(version.quizzes):
        if completed is None and (position > 0 or rng.random() < 0.5):
            break
        gap = ((completed or plan.now) - at) / 3
        tries = []
        if completed is None or rng.random() < 0.15:
            tries.append(rng.choice(quiz.failing if completed else quiz.either))
        if completed is not None:
            tries.append(rng.choice(quiz.passing))
        for number, template in enumerate(tries, 1):
            paper, answers, results, score, passed = template
            at += rng.random() * gap
            ids.attempt += 1
            plan.scores[(unit_id, version.id, quiz.title, completed is not None, id(template))] += 1
            plan.span_scores[(*span, quiz.title, id(template))] += 1
            submitted = timestamp(at)
            rows["quiz_attempt"].append(
                (ids.attempt, eid, quiz.item_id, number, timestamp(at - 600), None, paper,
                 answers, submitted, submitted, score, passed, results)
            )  # fmt: skip
        if completed is not None:
            best.append(tries[-1][3])
    if completed is None:
        plan.tally.enrolment(unit_id, version.id, version.jp, span[2], None, False)
        return
    revoked = False
    if version.certificate:
        revoked = _certificate(plan, uid, name, nip, unit_id, eid, version, enrolled, completed,
                               best, ids, rows)  # fmt: skip
    plan.tally.enrolment(unit_id, version.id, version.jp, span[2], (span[3], int(span[3][:4])),
                         revoked)  # fmt: skip
    if rng.random() < 0.7:
        ids.evaluation += 1
        evaluation = (ids.evaluation, eid, rng.randint(3, 5), rng.randint(2, 5), rng.randint(3, 5),
             "" if rng.random() < 0.9 else "Materi relevan dengan tugas.",
             timestamp(completed + 120))  # fmt: skip
        rows["course_evaluation"].append(evaluation)
        plan.tally.evaluation(unit_id, course_id, evaluation[2:5])


def _inner(part: dict[str, Any]) -> str:
    """``part`` as json.dumps writes it inside a larger object (without the braces)."""
    return json.dumps(part)[1:-1]


def _certificate(
    plan: Plan, uid: int, name: str, nip: str, unit_id: int, eid: int, version: Version,
    enrolled: float, completed: float, best: list[float], ids: Counters, rows: Rows,
) -> bool:  # fmt: skip
    """Append the enrolment's certificate; return whether it is revoked (a day after issue)."""
    issued = completed + 5
    issued_on, year = local_day(issued)
    sequence = ids.sequence[year] = ids.sequence.get(year, 0) + 1
    ids.certificate += 1
    code = secrets.token_urlsafe(16)
    number = plan.settings["pattern"].format(
        prefix=plan.settings["prefix"], year=year, sequence=sequence
    )
    average = f"{sum(best) / len(best):.1f}".replace(".", ",") if best else ""
    summary = f"Rata-rata nilai kuis {average} ({len(best)} kuis)" if best else (
        "Seluruh modul diselesaikan")  # fmt: skip
    # json.dumps of the payload dict, cut from cached parts: the code (URL-safe base64), name,
    # NIP, dates and summary never need escaping; the test checks the text is json.dumps's.
    middle = plan.payload_parts.get((unit_id, version.id))
    if middle is None:
        middle = plan.payload_parts[(unit_id, version.id)] = _inner(
            {"rank": "III/a", "position": "Analis", "instansi": plan.instansi_of[unit_id],
             "course_slug": version.slug, "course_title": version.title,
             "course_version": version.label, "competency": version.competency, "jp": version.jp}
        )  # fmt: skip
    tail = plan.payload_parts.get("issuer")
    if tail is None:
        settings = plan.settings
        tail = plan.payload_parts["issuer"] = _inner(
            {"issuer_name": settings["issuer"], "signatory_name": settings["signatory_name"],
             "signatory_position": settings["signatory_position"],
             "signatory_nip": settings["signatory_nip"] or None}
        )  # fmt: skip
    payload = (
        f'{{"code": "{code}", "number": {json.dumps(number)}, "learner_name": "{name}", '
        f'"nip": "{nip}", {middle}, "enrolled_on": "{local_day(enrolled)[0]}", '
        f'"completed_on": "{local_day(completed)[0]}", "score_summary": "{summary}", {tail}, '
        f'"issued_on": "{issued_on}"}}'
    )
    signature = plan.signer.sign(json.loads(payload)) if plan.signer.wants_payload else (
        plan.signer.last)  # fmt: skip
    revoked = bool(plan.revoke_every) and ids.certificate % plan.revoke_every == 0
    rows["certificate"].append(
        (ids.certificate, code, number, year, sequence, uid, eid, version.id, timestamp(issued),
         payload, signature, plan.signer.key_id,
         timestamp(issued + 86400) if revoked else None, "Salah peserta" if revoked else None,
         None)
    )  # fmt: skip
    return revoked


def chunks(plan: Plan, learners: int, ids: Counters, seed: int, size: int) -> Iterator[Rows]:
    """Rows for ``learners`` learners, ``size`` learners at a time."""
    rng = random.Random(seed)
    for first in range(0, learners, size):
        rows: Rows = {name: [] for name in (*COLUMNS, *PER_LEARNER)}
        for index in range(first, min(first + size, learners)):
            learner_rows(plan, index, ids, rng, rows)
        yield rows


def _templates(plan: Plan) -> dict[int, tuple[str, float, list[tuple[str, bool]]]]:
    """Each paper template's quiz, score and (question key, correct) marks, by id."""
    templates: dict[int, tuple[str, float, list[tuple[str, bool]]]] = {}
    for versions in plan.versions.values():
        for version in versions:
            for quiz in version.quizzes:
                for template in quiz.passing + quiz.failing:
                    marks = [
                        (str(r["key"]), r.get("correct") is True)
                        for r in json.loads(template[2])
                        if r.get("scored") is not False  # COALESCE(scored, true)
                    ]
                    templates[id(template)] = (quiz.title, template[3] or 0.0, marks)
    return templates


def score_rollups(plan: Plan) -> Rows:
    """quiz_score_count and question_score_count rows for the attempts counted in ``plan``.

    The same figures as seed_scale.score_rollup_statements (every attempt here is submitted):
    each template's results are read once and weighted by how many attempts used it.
    """
    templates = _templates(plan)
    quizzes: Counter[tuple[Any, ...]] = Counter()
    answered: Counter[tuple[Any, ...]] = Counter()
    correct: Counter[tuple[Any, ...]] = Counter()
    for (unit_id, version_id, title, completed, template_id), n in plan.scores.items():
        _, score, marks = templates[template_id]
        quizzes[(unit_id, version_id, title, completed, score)] += n
        for key, right in marks:
            question = (unit_id, version_id, title, key, completed, score)
            answered[question] += n
            correct[question] += n if right else 0
    return {
        "quiz_score_count": [(*k, n) for k, n in quizzes.items()],
        "question_score_count": [(*k, n, correct[k]) for k, n in answered.items()],
    }


def span_score_rollups(plan: Plan) -> Rows:
    """score_span_count rows (attempts under the question key "", then answers), summed
    from the templates as above, each attempt under its instansi and perangkat daerah."""
    templates = _templates(plan)
    quizzes: Counter[tuple[Any, ...]] = Counter()
    answered: Counter[tuple[Any, ...]] = Counter()
    correct: Counter[tuple[Any, ...]] = Counter()
    for (nodes, version_id, em, cm, title, template_id), n in plan.span_scores.items():
        _, score, marks = templates[template_id]
        for node in nodes:
            quizzes[(node, version_id, title, em, cm, score)] += n
            for key, right in marks:
                question = (node, version_id, title, key, em, cm, score)
                answered[question] += n
                correct[question] += n if right else 0
    return {
        "score_span_count": [
            *(
                (node, v, title, "", em, cm, score, n, 0)
                for (node, v, title, em, cm, score), n in quizzes.items()
            ),
            *((*k, n, correct[k]) for k, n in answered.items()),
        ]
    }


ROLLUP_COLUMNS = {
    "quiz_score_count": "unit_id version_id quiz completed score attempts",
    "question_score_count": "unit_id version_id quiz question_key completed score answered correct",
    "score_span_count": "node_id version_id quiz question_key enrolled_month "
    "completed_month score answered correct",
}

COLUMNS = {
    "user_account": "id nip full_name email employee_type unit_id position rank password_hash "
    "must_change_password session_token is_active locale created_at last_login_at",
    "role_grant": "user_id role",
    "enrollment": "id user_id unit_id course_id version_id enrolled_at completed_at last_item_id "
    "last_seen_at updated_at",
    "quiz_attempt": "id enrollment_id item_id number started_at deadline paper answers "
    "answers_saved_at submitted_at score passed results",
    "certificate": "id code number year sequence user_id enrollment_id version_id issued_at "
    "payload signature key_id revoked_at revoked_reason revoked_by_id",
    "course_evaluation": "id enrollment_id relevance clarity applicability comment created_at",
    "external_training": "id user_id name organiser route competency started_on finished_on jp "
    "certificate_number evidence_name evidence_type evidence status created_at reviewed_at "
    "reviewed_by_id review_note",
}
