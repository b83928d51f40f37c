"""`genip checker keygen --out` writes the private key to a new 0600 file and prints only the public key;
`genip checker public-key` derives the same public key from that file."""

from pathlib import Path

from genip.checker.sealing import CheckerKey
from tests.cli.conftest import Genip


def test_keygen_keeps_the_private_key_in_its_file_only(tmp_path: Path) -> None:
    genip = Genip(tmp_path / "data", tmp_path / "none.json")
    key_file = tmp_path / "checker" / "sealing.key"
    made = genip("checker", "keygen", "--out", str(key_file), "--json")
    shown = made.json()
    key = CheckerKey.from_setting(None, key_file)
    assert shown["public_key"] == key.public_key.hex and shown["key_id"] == key.public_key.key_id
    assert key.raw.hex() not in made.stdout + made.stderr
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "never overwrites" in genip("checker", "keygen", "--out", str(key_file)).error()
    again = genip("checker", "public-key", "--json", GENIP_CHECKER_KEY_FILE=str(key_file)).json()
    assert again == {"public_key": key.public_key.hex, "key_id": key.public_key.key_id}
    assert "GENIP_CHECKER_KEY" in genip("checker", "public-key").error()
