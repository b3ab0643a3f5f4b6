"""Admin edits of the competency dictionary and the jabatan standards."""

from __future__ import annotations

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Competency, CompetencyKind, CompetencyLevel, CompetencyStandard, User
from elearn.reports.audit import audit


def update_competency(
    competency: Competency,
    *,
    name: str,
    kind: CompetencyKind,
    descriptions: list[str],
    actor: User | None,
) -> None:
    """Change a competency's name, kind and its level descriptions (levels 1–5 in order)."""
    audit(actor, "competencies.edit", {"code": competency.code}, 1)
    competency.name, competency.kind = name.strip(), kind
    by_level = {lv.level: lv for lv in competency.levels}
    for number, description in enumerate(descriptions, start=1):
        if number in by_level:
            by_level[number].description = description.strip()
        else:
            competency.levels.append(CompetencyLevel(level=number, description=description))


def set_standard(
    position: str, competency_id: int, level: int, *, actor: User | None
) -> CompetencyStandard:
    """Require ``level`` of a competency for a jabatan, replacing any earlier level."""
    position = position.strip()
    details = {"position": position, "competency_id": competency_id, "level": level}
    audit(actor, "competencies.standard.set", details, 1)
    standard = db.session.scalar(
        select(CompetencyStandard).where(
            CompetencyStandard.position == position,
            CompetencyStandard.competency_id == competency_id,
        )
    )
    if standard is None:
        standard = CompetencyStandard(position=position, competency_id=competency_id)
        db.session.add(standard)
    standard.required_level = level
    return standard


def remove_standard(standard: CompetencyStandard, *, actor: User | None) -> None:
    """Drop a jabatan's requirement of one competency."""
    details = {"position": standard.position, "competency_id": standard.competency_id}
    audit(actor, "competencies.standard.remove", details, 1)
    db.session.delete(standard)
