"""The error tree has one root and its messages keep secrets out."""

import pytest

from genip import errors
from genip.errors import ChainIdMismatchError, GenIPError, RPCUnavailableError, redact_url


def test_every_public_exception_derives_from_the_root() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type):
            assert issubclass(obj, GenIPError), name


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1:8545", "http://127.0.0.1:8545"),
        ("https://mainnet.infura.io/v3/abcdef123", "https://mainnet.infura.io/…"),
        ("https://user:pass@rpc.example.org:8443/?key=s3cret", "https://rpc.example.org:8443/…"),
        ("not a url", "<invalid url>"),
    ],
)
def test_redact_url_keeps_only_scheme_host_and_port(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_rpc_errors_show_the_redacted_url() -> None:
    message = str(RPCUnavailableError("https://rpc.example.org/v2/s3cret", "timeout"))
    assert "s3cret" not in message and "rpc.example.org" in message


def test_chain_id_mismatch_names_both_chains() -> None:
    exc = ChainIdMismatchError(expected=31337, actual=1)
    assert (exc.expected, exc.actual) == (31337, 1)
    assert "31337" in str(exc) and "1" in str(exc)
