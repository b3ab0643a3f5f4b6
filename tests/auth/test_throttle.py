"""The throttle without HTTP: one account however typed, capped waits, no NIPs stored."""

from limits import parse_many
from limits.storage import MemoryStorage

from elearn.accounts.services import normalize_login
from elearn.auth.throttle import SignInThrottle, ThrottleSettings


def throttle(free: int = 1, first: int = 10, longest: int = 25) -> SignInThrottle:
    settings = ThrottleSettings(
        per_address=tuple(parse_many("100 per minute")),
        per_account=tuple(parse_many("100 per hour")),
        free_failures=free,
        first_delay_seconds=first,
        max_delay_seconds=longest,
        key_secret=b"test",
    )
    return SignInThrottle(MemoryStorage(), settings)


def test_a_login_names_one_account_however_it_is_typed():
    nip = "199001012015011020"
    for typed in ("19900101 201501 1 020", "19900101-201501-1-020", " 19900101.2015011020 "):
        assert normalize_login(typed) == nip
    assert normalize_login(" Andi@PaluKota.go.id ") == "andi@palukota.go.id"


def test_waits_double_up_to_the_longest_and_a_success_clears_them():
    rules = throttle()
    waits = [rules.failed("199001012015011020", "10.0.0.1") for _ in range(5)]
    assert waits == [0, 10, 20, 25, 25]
    assert rules.wait_seconds("19900101 201501 1 020", "10.0.0.1") == 25
    assert rules.wait_seconds("19900101 201501 1 020", "10.0.0.2") == 0  # another address
    rules.succeeded("199001012015011020", "10.0.0.1")
    assert rules.wait_seconds("199001012015011020", "10.0.0.1") == 0
    assert rules.failed("199001012015011020", "10.0.0.1") == 0


def test_the_store_holds_no_nip():
    rules = throttle()
    rules.failed("199001012015011020", "10.0.0.1")
    rules.succeeded("199001012015011020", "10.0.0.2")
    storage = rules.storage
    assert isinstance(storage, MemoryStorage)
    keys = [*storage.storage, *storage.events]
    assert keys and not any("199001012015011020" in key or "2015011020" in key for key in keys)
