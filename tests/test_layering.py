"""Services take their settings and time as arguments (issue 11); this keeps it so.

``current_app.config`` is read once, by ``elearn/settings.py``, into the frozen
``Settings`` that views, commands and jobs hand down. "Now" comes from
``elearn.clock`` (which tests freeze), never from the wall clock directly.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "elearn"

# Entry points translate HTTP or the command line into service calls; they may look
# at the wall clock (e.g. a cache-busting hour in an ETag). They still read settings
# through current_settings(), not current_app.config.
ENTRY_POINT_NAMES = ("views.py", "cli.py")

CONFIG_ALLOWED = {
    "settings.py": "builds Settings from the config, once, in create_app",
    "i18n.py": "Flask-Babel's selectors, called by Babel with no way to pass settings",
    "backup/cli.py": "backs up and restores the key files the config names",
}
CLOCK_ALLOWED = {
    "clock.py": "the one source of now",
    "models/base.py": "utcnow, the ORM's default for rows' created_at columns",
    "auth/sso.py": "ages the discovery document by the time.time() stamp Authlib put on it",
    "auth/session_cookie.py": "ages the cookie by the time.time() stamp itsdangerous signed",
}
WALL_CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):  # datetime.datetime.now
        return node.attr
    return None


def _findings(path: Path) -> tuple[list[int], list[int]]:
    """Lines reading current_app.config, and lines reading the wall clock."""
    config, wall = [], []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute):
            if _name(node.value) == "current_app" and node.attr == "config":
                config.append(node.lineno)
        elif isinstance(node, ast.Call):
            # Calls only: handing ``time.time`` to a class as its clock is injection.
            func = node.func
            if isinstance(func, ast.Attribute) and (_name(func.value), func.attr) in WALL_CLOCK:
                wall.append(node.lineno)
            elif _name(func) == "utcnow":
                wall.append(node.lineno)
    return sorted(config), sorted(wall)


def _modules() -> list[tuple[str, Path]]:
    return [(p.relative_to(PACKAGE).as_posix(), p) for p in sorted(PACKAGE.rglob("*.py"))]


def _is_entry_point(name: str) -> bool:
    return name.endswith(ENTRY_POINT_NAMES)


def test_only_settings_reads_the_app_config() -> None:
    found = [
        f"elearn/{name}:{line}: reads current_app.config; take a Settings argument"
        for name, path in _modules()
        if name not in CONFIG_ALLOWED
        for line in _findings(path)[0]
    ]
    assert found == [], "\n".join(found)


def test_services_take_now_from_the_clock() -> None:
    found = [
        f"elearn/{name}:{line}: reads the wall clock; use elearn.clock.now() or take `now`"
        for name, path in _modules()
        if name not in CLOCK_ALLOWED and not _is_entry_point(name)
        for line in _findings(path)[1]
    ]
    assert found == [], "\n".join(found)


def test_the_scan_finds_what_it_forbids(tmp_path: Path) -> None:
    module = tmp_path / "service.py"
    module.write_text(
        "from datetime import date, datetime\n"
        "from flask import current_app\n"
        "limit = current_app.config['X']\n"
        "stamp = datetime.now()\n"
        "day = date.today()\n"
        "row = utcnow()\n"
    )
    assert _findings(module) == ([3], [4, 5, 6])


def test_the_allow_lists_name_existing_modules() -> None:
    names = {name for name, _ in _modules()}
    assert set(CONFIG_ALLOWED) <= names
    assert set(CLOCK_ALLOWED) <= names
