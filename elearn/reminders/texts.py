"""What a reminder says, in one place for the notifications page, e-mail and later gateways.

Each function takes the translations to speak in: the page's, or the learner's own
language for a message sent while nobody is looking (Indonesian unless they chose English).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.support import NullTranslations, Translations

from elearn.i18n import DATE_PATTERN, ZONE_NAMES
from elearn.reminders.kinds import Family, Kind

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


class Translator(Protocol):
    def gettext(self, message: str) -> str: ...


@cache
def translations_for(locale: str) -> NullTranslations:
    """The catalogue of ``locale``; Indonesian (the messages themselves) when there is none."""
    return Translations.load(str(TRANSLATIONS), [locale], domain="messages")


def deadline_text(due_at: datetime, zone: ZoneInfo, locale: str) -> str:
    """The last minute before the deadline in ``zone``: ``10 Maret 2026 22.59 WIB``."""
    last_minute = due_at - timedelta(minutes=1)
    shown = format_datetime(last_minute, DATE_PATTERN + " HH.mm", tzinfo=zone, locale=locale)
    return f"{shown} {ZONE_NAMES.get(zone.key, zone.key)}"


def headline(kind: Kind, course: str, tr: Translator) -> str:
    """One line naming the reminder and its course."""
    if kind.family is Family.DUE_IN:
        return tr.gettext("Pengingat tenggat: %(course)s") % {"course": course}
    if kind.family is Family.DUE_TODAY:
        return tr.gettext("Hari ini tenggat %(course)s") % {"course": course}
    if kind.family is Family.OVERDUE:
        return tr.gettext("%(course)s lewat tenggat") % {"course": course}
    return tr.gettext("Lanjutkan belajar: %(course)s") % {"course": course}


def detail(kind: Kind, deadline: str, tr: Translator) -> str:
    """What to do, with the deadline (in the reader's zone) where there is one."""
    if kind.family is Family.DUE_IN:
        return tr.gettext("Kursus wajib ini harus selesai paling lambat %(deadline)s.") % {
            "deadline": deadline
        }
    if kind.family is Family.DUE_TODAY:
        return tr.gettext(
            "Kursus wajib ini harus selesai hari ini, paling lambat %(deadline)s."
        ) % {"deadline": deadline}
    if kind.family is Family.OVERDUE:
        return tr.gettext("Tenggatnya %(deadline)s sudah lewat. Selesaikan secepatnya.") % {
            "deadline": deadline
        }
    return tr.gettext("Anda belum membuka kursus ini selama %(days)s hari.") % {"days": kind.number}


def mail_subject(kind: Kind, course: str, tr: Translator) -> str:
    return f"[eLearn ASN] {headline(kind, course, tr)}"


def mail_body(
    kind: Kind,
    *,
    name: str,
    course: str,
    deadline: str,
    course_url: str,
    notifications_url: str,
    tr: Translator,
) -> str:
    """The plain-text body; a nudge says how to stop nudges."""
    lines = [
        tr.gettext("Yth. %(name)s,") % {"name": name},
        "",
        headline(kind, course, tr),
        detail(kind, deadline, tr),
        "",
        tr.gettext("Buka kursus: %(url)s") % {"url": course_url},
        "",
    ]
    if kind.is_nudge:
        lines += [
            tr.gettext(
                "Pengingat ini tidak wajib. Untuk berhenti menerimanya, buka %(url)s"
                " dan matikan pengingat belajar."
            )
            % {"url": notifications_url},
            "",
        ]
    lines.append(tr.gettext("Pesan ini dikirim otomatis oleh eLearn ASN; tidak perlu dibalas."))
    return "\n".join(lines) + "\n"
