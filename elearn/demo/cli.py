"""``flask demo``: sample units, one account per role in Palu and Mamuju, sample courses."""

from __future__ import annotations

from dataclasses import dataclass

import click
from sqlalchemy import select

from elearn import clock
from elearn.accounts.services import UserData, create_user
from elearn.accounts.units import UnitData, save_unit
from elearn.content.cli import parse_folders
from elearn.content.publish import store_version
from elearn.coordinator.sources import folder_files, keep_source
from elearn.demo.competencies import load_demo_competencies
from elearn.extensions import db
from elearn.models import EmployeeType, Role, Unit, UnitKind, User
from elearn.programs.publish import publish_program_folders
from elearn.programs.source import is_program_folder
from elearn.settings import current_settings

DEMO_PASSWORD = "demo-elearn-2026"  # noqa: S105 - published in the README on purpose

UNITS = [
    UnitData("palu", "Pemerintah Kota Palu", UnitKind.INSTANSI, None, "Asia/Makassar"),
    UnitData("palu-bkpsdm", "Badan Kepegawaian dan Pengembangan SDM", UnitKind.PERANGKAT_DAERAH),
    UnitData("palu-kominfo", "Dinas Komunikasi dan Informatika", UnitKind.PERANGKAT_DAERAH),
    UnitData("palu-kominfo-aptika", "Bidang Aplikasi Informatika", UnitKind.UNIT_KERJA),
    UnitData("mamuju", "Pemerintah Kabupaten Mamuju", UnitKind.INSTANSI, None, "Asia/Makassar"),
    UnitData("mamuju-bkpsdm", "Badan Kepegawaian dan Pengembangan SDM", UnitKind.PERANGKAT_DAERAH),
    UnitData("mamuju-bappeda", "Badan Perencanaan Pembangunan Daerah", UnitKind.PERANGKAT_DAERAH),
    UnitData(
        "palangkaraya", "Pemerintah Kota Palangka Raya", UnitKind.INSTANSI, None, "Asia/Pontianak"
    ),
    UnitData(
        "palangkaraya-bkpsdm", "Badan Kepegawaian dan Pengembangan SDM", UnitKind.PERANGKAT_DAERAH
    ),
]
PARENTS = {
    "palu-bkpsdm": "palu",
    "palu-kominfo": "palu",
    "palu-kominfo-aptika": "palu-kominfo",
    "mamuju-bkpsdm": "mamuju",
    "mamuju-bappeda": "mamuju",
    "palangkaraya-bkpsdm": "palangkaraya",
}


@dataclass(frozen=True)
class DemoAccount:
    nip: str
    name: str
    unit: str
    roles: tuple[Role, ...]
    scope: str | None = None
    employee_type: EmployeeType = EmployeeType.PNS


ACCOUNTS = [
    DemoAccount("198609262015051001", "Andi Pratama", "palu-kominfo-aptika", (Role.LEARNER,)),
    DemoAccount("199203142019032002", "Nur Aisyah", "mamuju-bappeda", (Role.LEARNER,)),
    DemoAccount(
        "199507222022212003",
        "Rahmat Hidayat",
        "palu-kominfo",
        (Role.LEARNER,),
        employee_type=EmployeeType.PPPK,
    ),
    DemoAccount(
        "198011052006041004",
        "Siti Rahmawati",
        "palu-bkpsdm",
        (Role.COORDINATOR, Role.LEARNER),
        "palu",
    ),
    DemoAccount(
        "198204172008012005",
        "Muhammad Yusuf",
        "mamuju-bkpsdm",
        (Role.COORDINATOR, Role.LEARNER),
        "mamuju",
    ),
    DemoAccount(
        "197912302005011006", "Dewi Lestari", "palu-bkpsdm", (Role.EVALUATOR, Role.LEARNER), "palu"
    ),
    DemoAccount(
        "198307082009022007",
        "Hasan Basri",
        "mamuju-bkpsdm",
        (Role.EVALUATOR, Role.LEARNER),
        "mamuju",
    ),
    DemoAccount("197605112000031008", "Admin eLearn", "palu-bkpsdm", (Role.ADMIN, Role.LEARNER)),
    # Andi Pratama's atasan langsung (elearn/demo/competencies.py).
    DemoAccount("197810152003121009", "Budi Santoso", "palu-kominfo-aptika", (Role.LEARNER,)),
]


def ensure_units() -> dict[str, Unit]:
    """Create the demo unit tree where missing; return units by code."""
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    for data in UNITS:
        if data.code not in units:
            parent = PARENTS.get(data.code)
            data.parent_id = units[parent].id if parent else None
            units[data.code] = save_unit(data)
    return units


def ensure_accounts(units: dict[str, Unit]) -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts where missing; return each with 'was created'."""
    existing = set(db.session.scalars(select(User.nip)))
    result = []
    for account in ACCOUNTS:
        created = account.nip not in existing
        if created:
            create_user(
                UserData(
                    nip=account.nip,
                    full_name=account.name,
                    unit_id=units[account.unit].id,
                    employee_type=account.employee_type,
                    roles=set(account.roles),
                    scope_unit_ids={units[account.scope].id} if account.scope else set(),
                ),
                DEMO_PASSWORD,
            )
        result.append((account, created))
    return result


# Which demo unit manages each sample course, so coordinators see scoping at work.
COURSE_OWNERS = {
    "manajemen-proyek": "palu",
    "administrasi-digital": "palu",
    "kepemimpinan": "mamuju",
}


def publish_sample_courses(units: dict[str, Unit]) -> list[str]:
    """Publish the sample course folders that exist; return one line per course."""
    root = current_settings().courses_dir
    folders = [root / slug for slug in COURSE_OWNERS if (root / slug).is_dir()]
    parsed, errors = parse_folders(folders)
    if errors:
        raise click.ClickException("\n".join(str(e) for e in errors))
    lines = []
    batch = frozenset(course.slug for course in parsed)
    for folder, course in zip(folders, parsed, strict=True):
        unit = units[COURSE_OWNERS[course.slug]]
        result = store_version(course, unit=unit, actor=None, publish=True, known_slugs=batch)
        keep_source(result.version, folder_files(folder))  # the browser editor starts from it
        state = "published" if result.created or result.status_changed else "unchanged"
        lines.append(f"  {course.slug:<22} v{result.version.number} {state} ({unit.code})")
    return lines


def publish_sample_programs(units: dict[str, Unit]) -> list[str]:
    """Publish the sample programs (folders with program.md) over the sample courses."""
    root = current_settings().courses_dir
    folders = sorted(p for p in root.iterdir() if p.is_dir() and is_program_folder(p))
    results, errors = publish_program_folders(db.session, folders, units["palu"], clock.now())
    if errors:
        raise click.ClickException("\n".join(str(e) for e in errors))
    lines = []
    for result in results:
        state = "published" if result.created or result.status_changed else "unchanged"
        slug = result.version.program.slug
        lines.append(f"  {slug:<22} v{result.version.number} {state} (program)")
    return lines


@click.command("demo")
def demo_command() -> None:
    """Load demo units, accounts for every role in Palu and Mamuju, competencies, courses."""
    units = ensure_units()
    accounts = ensure_accounts(units)
    # Before the courses: their front matter may name competencies of the dictionary.
    competencies = load_demo_competencies()
    courses = publish_sample_courses(units)
    if current_settings().courses_dir.is_dir():
        courses += publish_sample_programs(units)
    db.session.commit()
    click.echo("Competencies:")
    click.echo("\n".join(competencies))
    click.echo("Sample courses:")
    click.echo("\n".join(courses) or "  (none found)")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for account, created in accounts:
        roles = ", ".join(role.value for role in account.roles)
        state = "created" if created else "exists"
        click.echo(f"  {account.nip}  {account.name:<16} {roles:<22} {account.unit} ({state})")
