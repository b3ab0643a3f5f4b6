"""A small SIASN web-service client: the two tokens, person look-up, upload and save.

SIASN sits behind BKN's API gateway (WSO2 APIM): every call carries the gateway's token
(``Authorization: Bearer``, OAuth client credentials with the consumer key and secret)
and the SSO token of the instansi's operator (``Auth: bearer``, Keycloak password grant).
Both expire; a 401 makes the client sign in again once and repeat the call.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from elearn.models import PushShape
from elearn.siasn.settings import SiasnSettings

# SIASN answers an unknown person with this text (or "record not found") in ``data``.
NOT_FOUND_TEXTS = ("data tidak ditemukan", "record not found")
SAVE_ID_FIELD = {PushShape.KURSUS: "rwKursusId", PushShape.DIKLAT: "rwDiklatId"}
TOKEN_MARGIN_SECONDS = 30  # renew a little before the stated expiry


class SiasnUnavailable(Exception):
    """SIASN did not answer usefully (network, 5xx, 429): try again later."""


class SiasnSignInFailed(Exception):
    """The token endpoint refused our credentials: retrying cannot help."""


class SiasnUncertain(Exception):
    """A save went out but its answer never came (time-out, 500, 502, 504): SIASN may
    have stored it. Sending it again could make a duplicate, so a person checks first."""


class SiasnRefused(Exception):
    """SIASN refused this record; the message is SIASN's own, for the admin to read."""


@dataclass
class _Token:
    value: str
    expires_at: float


class SiasnClient:
    """Talks to one SIASN deployment; not shared between threads."""

    def __init__(
        self,
        settings: SiasnSettings,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.http = session or requests.Session()
        self._sleep = sleep
        self._now = monotonic
        self._gateway: _Token | None = None
        self._sso: _Token | None = None
        self.requests_sent = 0

    # -- tokens -------------------------------------------------------------------------

    def _token(self, which: str) -> str:
        token = self._gateway if which == "gateway" else self._sso
        if token is None or token.expires_at <= self._now():
            token = self._sign_in(which)
            if which == "gateway":
                self._gateway = token
            else:
                self._sso = token
        return token.value

    def _sign_in(self, which: str) -> _Token:
        s = self.settings
        if which == "gateway":
            call = lambda: self.http.post(  # noqa: E731
                s.apim_token_url,
                auth=(s.consumer_key, s.consumer_secret),
                data={"grant_type": "client_credentials"},
                headers={"Accept": "application/json"},
                timeout=s.timeout_seconds,
            )
        else:
            call = lambda: self.http.post(  # noqa: E731
                s.sso_token_url,
                data={
                    "grant_type": "password",
                    "client_id": s.sso_client_id,
                    "username": s.sso_username,
                    "password": s.sso_password,
                },
                headers={"Accept": "application/json"},
                timeout=s.timeout_seconds,
            )
        response = self._with_retries(call)
        if response.status_code in (400, 401, 403):
            raise SiasnSignInFailed(f"{which} token refused: HTTP {response.status_code}")
        if response.status_code != 200:
            raise SiasnUnavailable(f"{which} token: HTTP {response.status_code}")
        body = _json(response)
        value = str(body.get("access_token") or "")
        if not value:
            raise SiasnUnavailable(f"{which} token: no access_token in the answer")
        lifetime = float(body.get("expires_in") or 300)
        return _Token(value, self._now() + max(lifetime - TOKEN_MARGIN_SECONDS, 1))

    def forget_tokens(self) -> None:
        self._gateway = None
        self._sso = None

    # -- requests -----------------------------------------------------------------------

    def _with_retries(
        self, call: Callable[[], requests.Response], *, repeatable: bool = True
    ) -> requests.Response:
        """Call, retrying failures with doubling waits.

        A repeatable call (reads, sign-in, uploads) is retried on any network error, 5xx
        and 429. A save is retried only when it surely did not arrive: no connection, or a
        429 / 503 answer; any other failure raises SiasnUncertain.
        """
        wait = self.settings.retry_base_seconds
        for attempt in range(self.settings.retries + 1):
            last = attempt == self.settings.retries
            try:
                self.requests_sent += 1
                response = call()
            except requests.RequestException as exc:
                never_sent = isinstance(exc, requests.ConnectionError) and not isinstance(
                    exc, requests.ReadTimeout
                )
                if not repeatable and not never_sent:
                    raise SiasnUncertain(f"{type(exc).__name__}: {exc}") from exc
                if last:
                    raise SiasnUnavailable(f"{type(exc).__name__}: {exc}") from exc
            else:
                status = response.status_code
                if status < 500 and status != 429:
                    return response
                if not repeatable and status not in (429, 503):
                    raise SiasnUncertain(f"HTTP {status}")
                if last:
                    raise SiasnUnavailable(f"HTTP {status}")
            self._sleep(wait)
            wait *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _call(
        self, method: str, path: str, *, repeatable: bool = True, **kwargs: Any
    ) -> requests.Response:
        """An API call with both tokens; on 401 sign in again once and repeat it."""
        for fresh in (False, True):
            headers = {
                "Authorization": f"Bearer {self._token('gateway')}",
                "Auth": f"bearer {self._token('sso')}",
                "Accept": "application/json",
            }
            url = f"{self.settings.api_url}/{path.lstrip('/')}"
            send = functools.partial(
                self.http.request,
                method,
                url,
                headers=headers,
                timeout=self.settings.timeout_seconds,
                **kwargs,
            )
            response = self._with_retries(send, repeatable=repeatable)
            if response.status_code != 401:
                return response
            if fresh:  # refused with brand-new tokens: our access, not the record
                raise SiasnSignInFailed(f"{path.split('/')[0]}: HTTP 401 with fresh tokens")
            self.forget_tokens()  # expired or revoked early: the stated lifetime lied
        raise AssertionError("unreachable")  # pragma: no cover

    # -- the calls we make ----------------------------------------------------------------

    def person_id(self, nip: str) -> str:
        """SIASN's ``pnsOrangId`` for ``nip`` (``pns/data-utama/{nip}``)."""
        response = self._call("GET", f"pns/data-utama/{nip}")
        body = _json(response)
        data = body.get("data")
        if response.status_code == 403:
            raise SiasnSignInFailed("pns/data-utama: HTTP 403")
        if isinstance(data, dict) and data.get("id"):
            return str(data["id"])
        if response.status_code == 404 or (
            isinstance(data, str) and data.strip().lower() in NOT_FOUND_TEXTS
        ):
            raise SiasnRefused("NIP tidak ditemukan di SIASN")
        raise SiasnRefused(_message(body) or f"data utama: HTTP {response.status_code}")

    def upload(self, filename: str, content: bytes, content_type: str) -> dict[str, Any]:
        """Upload a document (``upload-dok``); its answer goes into the save's ``path``."""
        response = self._call(
            "POST",
            "upload-dok",
            files={"file": (filename, content, content_type)},
            data={"id_ref_dokumen": self.settings.document_ref},
        )
        body = _json(response)
        if response.status_code >= 400 or not isinstance(body.get("data"), dict):
            raise SiasnRefused(_message(body) or f"upload-dok: HTTP {response.status_code}")
        document: dict[str, Any] = body["data"]
        return document

    def save(self, shape: PushShape, body: dict[str, Any]) -> str:
        """Save a riwayat (``kursus/save`` or ``diklat/save``); return SIASN's id for it."""
        response = self._call("POST", f"{shape}/save", repeatable=False, json=body)
        answer = _json(response)
        found = (answer.get("mapData") or {}).get(SAVE_ID_FIELD[shape])
        if response.status_code < 400 and answer.get("success", True) and found:
            return str(found)
        raise SiasnRefused(_message(answer) or f"{shape}/save: HTTP {response.status_code}")


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _message(body: dict[str, Any]) -> str:
    for key in ("message", "error_description", "error", "data"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:1000]
    return ""
