"""A stand-in SIASN for tests: BKN's gateway and SSO token endpoints, person look-up,
document upload, and the two saves, started on a free local port in a thread.

Requests and answers follow the public client libraries (docs/career-record.md cites
them), e.g. black-coffee04/ws-siasn-php ``src/Services/AuthenticationService.php``
(gateway token: POST /oauth2/token, client credentials with HTTP basic auth),
``KursusService.php`` / ``DiklatService.php`` (POST /apisiasn/1.0/kursus/save and
diklat/save with both tokens, answering ``mapData.rwKursusId`` / ``rwDiklatId``),
``DokumenService.php`` (POST /apisiasn/1.0/upload-dok, multipart ``file`` and
``id_ref_dokumen``, answering ``data`` with ``dok_uri``…) and ``PnsService.php``
(GET /apisiasn/1.0/pns/data-utama/{nip}, the person in ``data`` with its ``id``).
SSO: Keycloak's password grant at /auth/realms/public-siasn/protocol/openid-connect/token.
An unknown NIP answers ``"data": "Data tidak ditemukan"``; a gateway token that has
expired answers 401 as WSO2 APIM does (code 900901).
"""

from __future__ import annotations

import base64
import itertools
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.serving import make_server

API = "/apisiasn/1.0"
KURSUS_REQUIRED = (
    "pnsOrangId", "instansiId", "jenisKursus", "jenisKursusSertipikat", "jumlahJam", "lokasiId",
    "namaKursus", "tahunKursus", "tanggalKursus", "tanggalSelesaiKursus",
)  # fmt: skip
DIKLAT_REQUIRED = (
    "pnsOrangId", "latihanStrukturalId", "nomor", "tahun", "tanggal", "tanggalSelesai",
)  # fmt: skip


@dataclass
class StandIn:
    """What the stand-in knows and what it was sent."""

    consumer_key: str = "kunci-uji"
    consumer_secret: str = "rahasia-uji"  # noqa: S105 - a test fixture
    sso_client: str = "elearn-uji"
    sso_user: str = "199001012015011001"
    sso_password: str = "sandi-uji"  # noqa: S105 - a test fixture
    people: dict[str, str] = field(default_factory=dict)  # NIP → pnsOrangId
    gateway_tokens: set[str] = field(default_factory=set)
    sso_tokens: set[str] = field(default_factory=set)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    saved: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0  # answer this many API calls with 503 first
    expires_in: int = 3600
    refuse_names: set[str] = field(default_factory=set)  # namaKursus SIASN refuses
    slow_saves: float = 0.0  # seconds a save takes after storing (to lose its answer)
    expire_after_saves: int = 0  # after this many saves every token runs out (0: never)
    _counter: Iterator[int] = field(default_factory=itertools.count)

    def expire_tokens(self) -> None:
        """Forget every token issued, as if they had all run out."""
        self.gateway_tokens.clear()
        self.sso_tokens.clear()

    def count(self, path_part: str) -> int:
        return sum(1 for _, path in self.calls if path_part in path)


def build_app(state: StandIn) -> Flask:
    app = Flask("siasn-standin")
    lock = threading.Lock()

    def error(status: int, message: str, **extra: Any) -> Any:
        response = jsonify({"success": False, "message": message, **extra})
        response.status_code = status
        return response

    @app.before_request
    def record() -> Any:
        with lock:
            state.calls.append((request.method, request.path))
        if request.path.startswith(API) and state.fail_next > 0:
            state.fail_next -= 1
            return error(503, "Service Unavailable")
        if request.path.startswith(API):
            gateway = request.headers.get("Authorization", "").removeprefix("Bearer ")
            sso = request.headers.get("Auth", "").removeprefix("bearer ")
            if gateway not in state.gateway_tokens:
                return error(401, "Invalid Credentials", code=900901)
            if sso not in state.sso_tokens:
                return error(401, "token sso tidak valid")
        return None

    @app.post("/oauth2/token")
    def gateway_token() -> Any:
        expected = f"{state.consumer_key}:{state.consumer_secret}".encode()
        given = request.headers.get("Authorization", "").removeprefix("Basic ")
        if base64.b64decode(given or b"") != expected:
            return error(401, "invalid_client")
        if request.form.get("grant_type") != "client_credentials":
            return error(400, "unsupported_grant_type")
        token = f"gw-{next(state._counter)}-{uuid.uuid4().hex}"
        state.gateway_tokens.add(token)
        return jsonify(access_token=token, token_type="Bearer", expires_in=state.expires_in)

    @app.post("/auth/realms/public-siasn/protocol/openid-connect/token")
    def sso_token() -> Any:
        form = request.form
        if (
            form.get("grant_type") != "password"
            or form.get("client_id") != state.sso_client
            or form.get("username") != state.sso_user
            or form.get("password") != state.sso_password
        ):
            return error(401, "invalid_grant", error="invalid_grant")
        token = f"sso-{next(state._counter)}-{uuid.uuid4().hex}"
        state.sso_tokens.add(token)
        return jsonify(access_token=token, token_type="bearer", expires_in=state.expires_in)

    @app.get(f"{API}/pns/data-utama/<nip>")
    def data_utama(nip: str) -> Any:
        person = state.people.get(nip)
        if person is None:
            return jsonify(code=0, data="Data tidak ditemukan")
        return jsonify(code=1, data={"id": person, "nipBaru": nip})

    @app.post(f"{API}/upload-dok")
    def upload() -> Any:
        upload = request.files.get("file")
        if upload is None or not request.form.get("id_ref_dokumen"):
            return error(400, "file dan id_ref_dokumen wajib")
        uri = f"peremajaan/usulan/{uuid.uuid4().hex}_{upload.filename}"
        document = {
            "dok_id": request.form["id_ref_dokumen"],
            "dok_nama": "Dok Sertifikat",
            "dok_uri": uri,
            "object": uri,
            "slug": request.form["id_ref_dokumen"],
        }
        state.uploads.append({**document, "size": len(upload.read())})
        return jsonify(success=True, data=document)

    def save(kind: str, required: tuple[str, ...], id_field: str) -> Any:
        body = request.get_json(silent=True) or {}
        missing = [name for name in required if body.get(name) in (None, "")]
        if missing:
            return error(400, f"{', '.join(missing)} wajib diisi")
        if body.get("pnsOrangId") not in state.people.values():
            return error(400, "pnsOrangId tidak dikenal")
        if body.get("namaKursus") in state.refuse_names:
            return error(400, "namaKursus sudah ada pada riwayat")
        new_id = str(uuid.uuid4())
        state.saved.append({"kind": kind, "id": new_id, **body})
        if len(state.saved) == state.expire_after_saves:
            state.expire_tokens()
        if state.slow_saves:
            time.sleep(state.slow_saves)
        return jsonify(success=True, message="success", mapData={id_field: new_id})

    @app.post(f"{API}/kursus/save")
    def kursus_save() -> Any:
        return save("kursus", KURSUS_REQUIRED, "rwKursusId")

    @app.post(f"{API}/diklat/save")
    def diklat_save() -> Any:
        return save("diklat", DIKLAT_REQUIRED, "rwDiklatId")

    return app


class Running:
    """The stand-in serving on 127.0.0.1 in a thread."""

    def __init__(self, state: StandIn) -> None:
        self.state = state
        self.server = make_server("127.0.0.1", 0, build_app(state), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)

    def config(self) -> dict[str, object]:
        """App config pointing the client here, with these credentials."""
        s = self.state
        return {
            "SIASN_API_URL": f"{self.url}{API}",
            "SIASN_APIM_TOKEN_URL": f"{self.url}/oauth2/token",
            "SIASN_SSO_TOKEN_URL": (
                f"{self.url}/auth/realms/public-siasn/protocol/openid-connect/token"
            ),
            "SIASN_CONSUMER_KEY": s.consumer_key,
            "SIASN_CONSUMER_SECRET": s.consumer_secret,
            "SIASN_SSO_CLIENT_ID": s.sso_client,
            "SIASN_SSO_USERNAME": s.sso_user,
            "SIASN_SSO_PASSWORD": s.sso_password,
            "SIASN_RETRY_BASE_SECONDS": 0,
            "SIASN_RETRIES": 2,
        }
