"""The client's address: X-Forwarded-For counts only when our own proxy sent it."""

import pytest

from elearn.proxies import client_address, parse_networks

TRUSTED = parse_networks("10.0.0.1, 192.168.0.0/16, fd00::/8")


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not our proxy: the header is ignored
        ("10.0.0.2", "1.2.3.4", "10.0.0.2"),  # a neighbour of the proxy is not the proxy
        ("10.0.0.1", None, "10.0.0.1"),  # the proxy itself, sending no header
        ("10.0.0.1", "203.0.113.10", "203.0.113.10"),
        ("10.0.0.1", "1.2.3.4, 203.0.113.10", "203.0.113.10"),  # forged left entries skipped
        ("10.0.0.1", "203.0.113.10, 192.168.4.4", "203.0.113.10"),  # a second trusted hop
        ("10.0.0.1", "192.168.4.4, 10.0.0.1", "10.0.0.1"),  # only proxies in the chain: the peer
        ("10.0.0.1", "not-an-address", "10.0.0.1"),  # garbage: the proxy, never the garbage
        ("10.0.0.1", " 2001:db8::7 ", "2001:db8::7"),
        ("fd00::1", "2001:db8::7, fd12::3", "2001:db8::7"),
    ],
)
def test_client_address(peer: str, forwarded_for: str | None, expected: str):
    assert client_address(peer, forwarded_for, TRUSTED) == expected


def test_no_trusted_proxies_by_default():
    assert parse_networks("") == ()
    assert client_address("10.0.0.1", "1.2.3.4", parse_networks("")) == "10.0.0.1"


def test_a_wrong_setting_names_itself():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        parse_networks("10.0.0.1, proxy.local")
