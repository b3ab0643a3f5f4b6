"""Where SIASN is and how to sign in to it: app config first, else the environment.

Read once, into the app's Settings (``current_settings().siasn``).

Credentials never live in the repository: set them in the environment (or the instance
config) of the deployment that pushes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# BKN's production addresses as the public client libraries use them (docs/career-record.md).
DEFAULT_API_URL = "https://apimws.bkn.go.id:8243/apisiasn/1.0"
DEFAULT_APIM_SIGN_IN_URL = "https://apimws.bkn.go.id/oauth2/token"
DEFAULT_SSO_SIGN_IN_URL = (
    "https://sso-siasn.bkn.go.id/auth/realms/public-siasn/protocol/openid-connect/token"
)
# id_ref_dokumen of a training certificate in SIASN's document list.
DEFAULT_DOCUMENT_REF = "874"


class SiasnNotConfigured(RuntimeError):
    """Credentials are missing: pushing cannot start (the message names what to set)."""


@dataclass(frozen=True)
class SiasnSettings:
    api_url: str
    apim_token_url: str
    sso_token_url: str
    consumer_key: str
    consumer_secret: str
    sso_client_id: str
    sso_username: str
    sso_password: str
    document_ref: str = DEFAULT_DOCUMENT_REF
    upload_documents: bool = True
    timeout_seconds: float = 30.0
    retries: int = 3  # transient failures retried per request, waits doubling from the base
    retry_base_seconds: float = 1.0
    lease_seconds: int = 600  # a record claimed longer ago by a job that died is taken again

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SiasnSettings:
        def value(name: str, default: str = "") -> str:
            found = config.get(name)
            if found is None:
                found = os.environ.get(name, default)
            return str(found).strip()

        return cls(
            api_url=value("SIASN_API_URL", DEFAULT_API_URL).rstrip("/"),
            apim_token_url=value("SIASN_APIM_TOKEN_URL", DEFAULT_APIM_SIGN_IN_URL),
            sso_token_url=value("SIASN_SSO_TOKEN_URL", DEFAULT_SSO_SIGN_IN_URL),
            consumer_key=value("SIASN_CONSUMER_KEY"),
            consumer_secret=value("SIASN_CONSUMER_SECRET"),
            sso_client_id=value("SIASN_SSO_CLIENT_ID"),
            sso_username=value("SIASN_SSO_USERNAME"),
            sso_password=value("SIASN_SSO_PASSWORD"),
            document_ref=value("SIASN_DOCUMENT_REF", DEFAULT_DOCUMENT_REF),
            upload_documents=value("SIASN_UPLOAD_DOCUMENTS", "1").lower()
            in {"1", "true", "yes", "on"},
            timeout_seconds=float(value("SIASN_TIMEOUT_SECONDS", "30")),
            retries=int(value("SIASN_RETRIES", "3")),
            retry_base_seconds=float(value("SIASN_RETRY_BASE_SECONDS", "1")),
            lease_seconds=int(value("SIASN_LEASE_SECONDS", "600")),
        )

    def check(self) -> None:
        """Raise SiasnNotConfigured naming every missing credential."""
        missing = [
            name
            for name, given in (
                ("SIASN_CONSUMER_KEY", self.consumer_key),
                ("SIASN_CONSUMER_SECRET", self.consumer_secret),
                ("SIASN_SSO_CLIENT_ID", self.sso_client_id),
                ("SIASN_SSO_USERNAME", self.sso_username),
                ("SIASN_SSO_PASSWORD", self.sso_password),
            )
            if not given
        ]
        if missing:
            raise SiasnNotConfigured("SIASN credentials not set: " + ", ".join(missing))
