"""What a reminder says, in one place for the notifications page, e-mail and later gateways.

Each function takes the translations to speak in: the page's, or the learner's own
language for a message sent while nobody is looking (Indonesian unless they chose English).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from elearn.i18n import DATE_PATTERN, ZONE_NAMES
from elearn.reminders import pace
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


def grouped_nip(nip: str) -> str:
    """``19860926 201505 1 001``, as the pages show a NIP."""
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}" if len(nip) == 18 else nip


def pace_per_month(details: Mapping[str, Any], locale: str) -> str:
    """The JP a month still needed by 31 December, one decimal at most: ``1,4``."""
    return format_decimal(pace.per_month(details), "#,##0.#", locale=locale)


def headline(
    kind: Kind, course: str, tr: Translator, details: Mapping[str, Any] | None = None
) -> str:
    """One line naming the reminder and its course (or, for a period's reminder, its gist)."""
    facts: Mapping[str, Any] = details or {}  # a period's reminder always has them
    if kind.family is Family.JP_PACE:
        return tr.gettext("Laju Jam Pelajaran tahun %(year)s") % {"year": facts["year"]}
    if kind.family is Family.DIGEST:
        return tr.gettext("Ringkasan mingguan: %(count)s peserta lewat tenggat") % {
            "count": facts["count"]
        }
    if kind.family is Family.DUE_IN:
        return tr.gettext("Pengingat tenggat: %(course)s") % {"course": course}
    if kind.family is Family.DUE_TODAY:
        return tr.gettext("Hari ini tenggat %(course)s") % {"course": course}
    if kind.family is Family.OVERDUE:
        return tr.gettext("%(course)s lewat tenggat") % {"course": course}
    return tr.gettext("Lanjutkan belajar: %(course)s") % {"course": course}


def detail(
    kind: Kind,
    deadline: str,
    tr: Translator,
    details: Mapping[str, Any] | None = None,
    locale: str = "id",
) -> str:
    """What to do, with the deadline (in the reader's zone) where there is one."""
    facts: Mapping[str, Any] = details or {}  # a period's reminder always has them
    if kind.family is Family.JP_PACE:
        return tr.gettext(
            "Anda baru mencapai %(jp)s JP tahun ini; untuk %(target)s JP sampai 31 Desember"
            " perlu ±%(per_month)s JP per bulan."
        ) % {
            "jp": facts["jp"],
            "target": facts["target"],
            "per_month": pace_per_month(facts, locale),
        }
    if kind.family is Family.DIGEST:
        count, shown = facts["count"], len(facts["learners"])
        if count > shown:
            return tr.gettext(
                "%(count)s peserta di unit kerja Anda belum menyelesaikan kursus wajib yang"
                " tenggatnya sudah lewat; %(shown)s yang paling lama tercantum di bawah."
            ) % {"count": count, "shown": shown}
        return tr.gettext(
            "%(count)s peserta di unit kerja Anda belum menyelesaikan kursus wajib yang"
            " tenggatnya sudah lewat."
        ) % {"count": count}
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


def digest_line(entry: Mapping[str, Any], tr: Translator) -> str:
    """One overdue learner of a digest: name, NIP, unit, course and days overdue."""
    return tr.gettext(
        "%(name)s (NIP %(nip)s), %(unit)s — %(course)s, lewat tenggat %(days)s hari"
    ) % {
        "name": entry["name"],
        "nip": grouped_nip(entry["nip"]),
        "unit": entry["unit"],
        "course": entry["course"],
        "days": entry["days"],
    }


def drill_down_path(entry: Mapping[str, Any]) -> str:
    """The assignment's page, filtered to its overdue learners."""
    return f"/coordinator/assignments/{entry['assignment_id']}?status=overdue"


def mail_subject(
    kind: Kind, course: str, tr: Translator, details: Mapping[str, Any] | None = None
) -> str:
    return f"[eLearn ASN] {headline(kind, course, tr, details)}"


def mail_body(
    kind: Kind,
    *,
    name: str,
    course: str,
    deadline: str,
    course_url: str,
    notifications_url: str,
    tr: Translator,
    details: Mapping[str, Any] | None = None,
    locale: str = "id",
    base_url: str = "",
) -> str:
    """The plain-text body; a nudge (and a JP-pace line) says how to stop them."""
    lines = [
        tr.gettext("Yth. %(name)s,") % {"name": name},
        "",
        headline(kind, course, tr, details),
        detail(kind, deadline, tr, details, locale),
        "",
    ]
    if kind.family is Family.JP_PACE:
        lines += [tr.gettext("Lihat riwayat JP Anda: %(url)s") % {"url": f"{base_url}/me/records"}]
    elif kind.family is Family.DIGEST:
        for entry in (details or {}).get("learners", []):
            lines += [f"- {digest_line(entry, tr)}", f"  {base_url}{drill_down_path(entry)}"]
        lines += [
            "",
            tr.gettext("Semua penugasan: %(url)s")
            % {"url": f"{base_url}/coordinator/assignments/"},
        ]
    else:
        lines += [tr.gettext("Buka kursus: %(url)s") % {"url": course_url}]
    lines.append("")
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
