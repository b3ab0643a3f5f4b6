"""`npm ci` for a folder of pinned Node.js packages runs once, however many workers ask."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.node_packages import node_with_packages

# Stands in for npm: counts its runs, takes a while (as `npm ci` does), then installs.
FAKE_NPM = """#!/bin/sh
echo run >> "$PWD/npm-runs.log"
rm -rf node_modules
sleep 0.5
mkdir -p node_modules/pinned && touch node_modules/pinned/package.json
"""


def test_two_workers_asking_at_once_install_the_packages_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    bin_dir, folder = tmp_path / "bin", tmp_path / "packages"
    bin_dir.mkdir()
    folder.mkdir()
    (bin_dir / "npm").write_text(FAKE_NPM)
    (bin_dir / "node").write_text("#!/bin/sh\n")
    for tool in ("npm", "node"):
        (bin_dir / tool).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    barrier = threading.Barrier(2)
    found: list[bool] = []
    errors: list[BaseException] = []

    def ask() -> None:
        barrier.wait()
        try:
            node_with_packages(folder, "pinned/package.json", "the check")
        except BaseException as exc:  # noqa: BLE001 - reported below (a skip is one too)
            errors.append(exc)
        found.append((folder / "node_modules" / "pinned" / "package.json").exists())

    workers = [threading.Thread(target=ask) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    assert found == [True, True]
    assert (folder / "npm-runs.log").read_text().splitlines() == ["run"]
