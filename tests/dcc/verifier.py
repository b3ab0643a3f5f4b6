"""The Digital Credentials Consortium verifier (npm @digitalcredentials/verifier-core), offline.

``dcc_verify(path)`` runs tests/dcc/verify.mjs on a credential file and returns the
verifier's answer as a dict (``verified``, ``errors``, ``log``, ``schema``,
``networkAttempts``). The pinned packages are installed with ``npm ci`` when
node_modules is missing. Without node or npm the calling test skips with the reason;
REQUIRE_NODE=1 turns that skip into a failure, as for the OpenID provider (tests/oidc).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.node_packages import node_with_packages

HERE = Path(__file__).resolve().parent
OB_SCHEMA = HERE.parent / "interop" / "schema" / "ob_v3p0_achievementcredential.json"
RUN_SECONDS = 120
CHECK = "DCC verifier-core check"


def node_with_verifier() -> str:
    """The node binary, once verifier-core is installed in tests/dcc."""
    return node_with_packages(HERE, "@digitalcredentials/verifier-core", CHECK)


def dcc_verify(
    node: str, credential_file: Path, serve: Mapping[str, Path] | None = None
) -> dict[str, Any]:
    """verifier-core's answer for the file, the OB 3.0 schema served from our copy and
    ``serve``'s URLs (e.g. a status list credential) from the given files."""
    served = [arg for url, path in (serve or {}).items() for arg in ("--serve", f"{url}={path}")]
    result = subprocess.run(  # noqa: S603 - our own script on files the test wrote
        [node, str(HERE / "verify.mjs"), str(credential_file), "--schema", str(OB_SCHEMA), *served],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
        check=False,
    )
    assert result.returncode == 0, f"verify.mjs failed:\n{result.stderr[-2000:]}"
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def steps(answer: dict[str, Any]) -> dict[str, Any]:
    """Each check verifier-core logged, by its id: True, or the error it gave."""
    return {step["id"]: step.get("valid", step.get("error")) for step in answer["log"]}


def verify_with_live_list(
    client: FlaskClient, node: str, document: dict[str, Any], folder: Path
) -> Callable[[], dict[str, Any]]:
    """A check of ``document`` by verifier-core, offline, against its status list as our
    app serves it at the moment of each call (so a revocation in between shows)."""
    credential_file = folder / "credential.jsonld"
    credential_file.write_text(json.dumps(document), encoding="utf-8")
    list_url = document["credentialStatus"]["statusListCredential"]

    def check() -> dict[str, Any]:
        listed = folder / "status.jsonld"
        listed.write_bytes(client.get(list_url).data)
        answer = dcc_verify(node, credential_file, {list_url: listed})
        assert answer["networkAttempts"] == []
        return answer

    return check
