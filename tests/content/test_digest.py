"""One pass gives sha256 and CID, for any size, in constant memory."""

import hashlib
import os
import tracemalloc
from io import BytesIO
from pathlib import Path

from genip.content.cid import cid_of_bytes
from genip.content.digest import READ_SIZE, digest_bytes, digest_file, digest_stream, sha256_file

MIB = 1024 * 1024


def test_digest_of_bytes_stream_and_file_agree(tmp_path: Path) -> None:
    data = os.urandom(3 * MIB + 17)
    path = tmp_path / "work.bin"
    path.write_bytes(data)
    expected = (hashlib.sha256(data).digest(), cid_of_bytes(data), len(data))
    for digest in (digest_bytes(data), digest_stream(BytesIO(data)), digest_file(path)):
        assert (digest.sha256, digest.cid, digest.size) == expected
    assert sha256_file(path) == expected[0]
    assert digest_bytes(data).sha256_hex == "0x" + expected[0].hex()


def test_progress_reports_bytes_processed(tmp_path: Path) -> None:
    path = tmp_path / "work.bin"
    path.write_bytes(b"x" * (2 * READ_SIZE + 5))
    seen: list[int] = []
    digest_file(path, progress=seen.append)
    assert seen == [READ_SIZE, 2 * READ_SIZE, 2 * READ_SIZE + 5]


def test_the_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.touch()
    digest = digest_file(path)
    assert digest.size == 0
    assert digest.sha256 == hashlib.sha256(b"").digest()
    assert digest.cid == "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


def test_hashing_a_48_mib_file_keeps_memory_flat(tmp_path: Path) -> None:
    # 48 MiB = 192 chunks: more than 174, so the tree grows a second level while streaming.
    path = tmp_path / "big.bin"
    block = os.urandom(MIB)
    with path.open("wb") as out:
        for i in range(48):
            out.write(i.to_bytes(4, "big") + block[4:])
    tracemalloc.start()
    try:
        digest = digest_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest.size == 48 * MIB
    assert digest.cid.startswith("bafybei")
    # One read block (1 MiB) plus at most one pending chunk and a few link lists: far below the file size.
    assert peak < 4 * MIB, f"peak traced memory {peak / MIB:.1f} MiB while hashing a 48 MiB file"
    assert digest.sha256 == sha256_file(path)
