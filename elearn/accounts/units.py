"""Organisation units: creating and moving them without breaking the tree."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from elearn.accounts.services import AccountError, descendants_of
from elearn.extensions import db
from elearn.models import Unit, UnitKind
from elearn.problem_text import Problem
from elearn.reports.rollups import nodes_by_unit
from elearn.reports.span_rollups import recount_nodes


@dataclass
class UnitData:
    code: str
    name: str
    kind: UnitKind
    parent_id: int | None = None
    timezone: str | None = None
    siasn_unor_id: str | None = None


def save_unit(data: UnitData, unit: Unit | None = None) -> Unit:
    """Create ``unit`` or change it; refuse duplicate codes and cycles."""
    clash = db.session.scalar(select(Unit).where(Unit.code == data.code))
    if clash is not None and clash is not unit:
        raise AccountError(Problem("Kode unit sudah dipakai."))
    if data.parent_id is not None:
        if db.session.get(Unit, data.parent_id) is None:
            raise AccountError(Problem("Unit induk tidak ditemukan."))
        if unit is not None and unit.id is not None and data.parent_id in descendants_of({unit.id}):
            raise AccountError(Problem("Unit induk tidak boleh unit itu sendiri atau sub-unitnya."))
    elif data.kind is not UnitKind.INSTANSI:
        raise AccountError(Problem("Hanya instansi yang boleh tanpa unit induk."))
    moving = unit is not None and unit.id is not None and unit.parent_id != data.parent_id
    nodes_before = nodes_by_unit() if moving else None
    unit = unit or Unit()
    unit.code = data.code
    unit.name = data.name.strip()
    unit.kind = data.kind
    unit.parent_id = data.parent_id
    unit.timezone = data.timezone or None
    unit.siasn_unor_id = data.siasn_unor_id or None
    db.session.add(unit)
    db.session.flush()
    if nodes_before is not None:
        # The span score rollups are keyed by instansi and perangkat daerah: a node that
        # gained or lost units of the moved subtree is counted again.
        nodes_after = nodes_by_unit()
        recount_nodes(
            node
            for unit_id, nodes in nodes_after.items()
            for node in set(nodes) ^ set(nodes_before.get(unit_id, ()))
        )
    return unit


def unit_choices() -> list[SelectChoice]:
    """Every unit as a choice labelled with its full path, sorted by path."""
    units = sorted(db.session.scalars(select(Unit)), key=lambda u: u.path)
    return [SelectChoice(str(u.id), u.path) for u in units]
