"""The client's address, trusting X-Forwarded-For only from our own proxies.

Every per-address rule (sign-in limits, the API's anonymous limit, logs) reads
``request.remote_addr``; the middleware here makes that the client's address.
werkzeug's ProxyFix trusts a fixed number of hops from whoever connects, so a
client reaching the app directly could name any address it likes; here the
header counts only when the connecting peer is a configured proxy.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Network = IPv4Network | IPv6Network
ORIGINAL_REMOTE_ADDR = "elearn.proxy.peer_addr"


def parse_networks(setting: str | Iterable[str]) -> tuple[Network, ...]:
    """Read TRUSTED_PROXIES: a comma list of addresses or CIDR ranges."""
    items = setting.split(",") if isinstance(setting, str) else setting
    try:
        return tuple(ip_network(item.strip(), strict=False) for item in items if item.strip())
    except ValueError as exc:
        raise ValueError(f"TRUSTED_PROXIES: {exc}") from None


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        parsed = ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


def client_address(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """Return the client's address for a request from ``peer``.

    From a trusted peer: the rightmost X-Forwarded-For entry that is not itself
    a trusted proxy (entries further left were written by the client and can be
    forged). From anyone else: the peer, whatever the header says.
    """
    if not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            try:
                return str(ip_address(hop))
            except ValueError:
                return peer  # garbage where an address should be: fall back to the proxy
    return peer  # only proxies in the chain: the request started at one of them


class TrustedProxies:
    """WSGI middleware setting REMOTE_ADDR to the client's address (see client_address)."""

    def __init__(self, app: WSGIApplication, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        peer = environ.get("REMOTE_ADDR") or ""
        environ[ORIGINAL_REMOTE_ADDR] = peer
        if self.trusted:
            environ["REMOTE_ADDR"] = client_address(
                peer, environ.get("HTTP_X_FORWARDED_FOR"), self.trusted
            )
        return self.app(environ, start_response)
