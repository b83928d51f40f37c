"""`genip originals rotate` and `seal-store` through the CLI: rewrapped envelopes open with the new key alone,
keys never reach the output, and a key missing from the keyring is a one-line error."""

from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import SecretStr

from cli.originals import originals_of
from genip.settings import Settings
from genip.storage import LocalStore
from tests.cli.conftest import Genip
from tests.helpers import CREATOR


def _register_text(genip: Genip, folder: Path, text: str, keys: str) -> str:
    path = folder / f"{abs(hash(text))}.txt"
    path.write_text(text)
    out = genip(
        "register", str(path), "--title", text[:20], "--prompt", "p", "--json",
        key=CREATOR, GENIP_ORIGINALS_KEYS=keys,
    ).json()  # fmt: skip
    return str(out["cid"])


def test_rotate_rewraps_every_envelope_for_the_newest_key(genip: Genip, tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    cids = [_register_text(genip, tmp_path, f"poem number {i}\n", old) for i in range(2)]

    run = genip("originals", "rotate", "--json", GENIP_ORIGINALS_KEYS=f"{new},{old}")
    assert run.json() == {"rewrapped": 2, "keys": 2}
    assert old not in run.stdout + run.stderr and new not in run.stdout + run.stderr

    store = LocalStore(genip.data_dir / "store")
    only_new = originals_of(Settings(data_dir=genip.data_dir, originals_keys=SecretStr(new)), store)
    assert [only_new.read(cid) for cid in cids] == [b"poem number 0\n", b"poem number 1\n"]


def test_rotate_without_the_old_key_fails_in_one_line(genip: Genip, tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    cid = _register_text(genip, tmp_path, "a lonely poem\n", old)
    error = genip("originals", "rotate", GENIP_ORIGINALS_KEYS=new).error()
    assert f"open with none of the configured keys (first: {cid})" in error
    assert old not in error and new not in error


def test_a_malformed_service_key_is_refused_without_echo(genip: Genip) -> None:
    error = genip("originals", "rotate", GENIP_ORIGINALS_KEYS="s3cret-not-a-key").error()
    assert "not a Fernet key" in error and "s3cret" not in error


def test_seal_store_on_a_sealed_store_has_nothing_to_do(genip: Genip, tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    _register_text(genip, tmp_path, "already sealed\n", key)
    assert genip("index", "--once").exit_code == 0
    out = genip("originals", "seal-store", "--json", GENIP_ORIGINALS_KEYS=key).json()
    assert (out["sealed"], out["already_sealed"], out["previews_derived"], out["failed"]) == (0, 1, 0, [])
