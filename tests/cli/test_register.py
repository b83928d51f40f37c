"""`genip register` and `genip derive`: hash, store, commit the prompt, register; clear refusals."""

from pathlib import Path

import numpy as np
from PIL import Image

from cli.originals import originals_of
from cli.works import ALREADY_REGISTERED_EXIT
from genip.chain.client import GenIPClient
from genip.chain.types import WorkKind
from genip.content.digest import digest_file
from genip.content.metadata import WorkMetadata
from genip.settings import Settings
from genip.storage import LocalStore
from tests.cli.conftest import Genip
from tests.helpers import CREATOR, CREATOR_2


def make_image(path: Path, seed: int = 0) -> Path:
    """A small PNG with structure (PDQ needs some), different per seed."""
    rng = np.random.default_rng(seed)
    base = np.linspace(0, 255, 64 * 64, dtype=np.float64).reshape(64, 64)
    pixels = (base + rng.normal(0, 40, (64, 64))).clip(0, 255).astype(np.uint8)
    Image.fromarray(pixels, "L").convert("RGB").save(path)
    return path


def test_register_an_image_stores_work_and_metadata_and_mints(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    image = make_image(tmp_path / "dawn.png")
    run = genip(
        "register", str(image), "--kind", "image", "--title", "Dawn", "--prompt", "a red dawn, oil",
        "--model", "sdxl", "--tags", "sky,red", "--json", key=CREATOR,
    )  # fmt: skip
    out = run.json()
    assert out["asset_id"] == 1 and out["kind"] == "image" and out["creator"] == CREATOR.address
    assert client.registry.functions.ownerOf(1).call() == CREATOR.address
    store = LocalStore(genip.data_dir / "store")
    assert not store.has(out["cid"])  # the original is stored sealed only
    assert originals_of(Settings(data_dir=genip.data_dir), store).read(out["cid"]) == image.read_bytes()
    meta = WorkMetadata.from_bytes(store.get(out["metadata_cid"]))
    assert meta.name == "Dawn" and meta.kind is WorkKind.IMAGE and meta.tags == ("sky", "red")
    assert meta.perceptual_hash is not None and meta.perceptual_hash.algorithm == "pdq"
    assert meta.content.cid == out["cid"] and meta.preview_cid is not None  # `image` is the preview
    assert store.get(meta.preview_cid)[:3] == b"\xff\xd8\xff"  # a watermarked JPEG, in the clear
    assert "a red dawn" not in store.get(out["metadata_cid"]).decode()  # the prompt stays private


def test_register_prints_a_table_without_json(genip: Genip, tmp_path: Path) -> None:
    text = tmp_path / "poem.txt"
    text.write_text("roses are red\n")
    run = genip("register", str(text), "--title", "Poem", "--prompt", "write a poem", key=CREATOR)
    assert run.exit_code == 0, run.stderr
    assert "Registered asset 1" in run.stdout and "metadata cid" in run.stdout


def test_register_prompt_from_file_and_reveal_it(genip: Genip, tmp_path: Path) -> None:
    text = tmp_path / "poem.txt"
    text.write_text("roses are red\n")
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("  write a poem about roses \r\n")
    genip(
        "register", str(text), "--title", "Poem", "--prompt-file", str(prompt), "--json", key=CREATOR
    ).json()
    revealed = genip("prompt", "reveal", "1", "--json").json()
    assert revealed["prompt"] == "write a poem about roses" and revealed["matches_chain"] is True
    ok = genip("prompt", "verify", "1", "--prompt-file", str(prompt), "--salt", revealed["salt"], "--json")
    assert ok.json()["verified"] is True
    bad = genip("prompt", "verify", "1", "--prompt", "another prompt", "--salt", revealed["salt"])
    assert "do not open" in bad.error()


def test_an_ai_kind_needs_its_prompt(genip: Genip, tmp_path: Path) -> None:
    image = make_image(tmp_path / "x.png")
    assert "give the prompt" in genip("register", str(image), "--title", "X", key=CREATOR).error()


def test_a_workflow_without_prompt_commits_to_the_empty_prompt(genip: Genip, tmp_path: Path) -> None:
    flow = tmp_path / "flow.json"
    flow.write_text('{"1": {"class_type": "KSampler", "inputs": {}}}')
    out = genip("register", str(flow), "--kind", "workflow", "--title", "Flow", "--json", key=CREATOR).json()
    assert out["kind"] == "workflow"
    assert genip("prompt", "reveal", str(out["asset_id"]), "--json").json()["prompt"] == ""


def test_registering_the_same_content_again_shows_the_existing_certificate(
    genip: Genip, tmp_path: Path
) -> None:
    image = make_image(tmp_path / "a.png")
    first = genip("register", str(image), "--title", "A", "--prompt", "p", "--json", key=CREATOR).json()
    again = genip("register", str(image), "--title", "B", "--prompt", "q", "--json", key=CREATOR_2)
    assert again.exit_code == ALREADY_REGISTERED_EXIT
    shown = __import__("json").loads(again.stdout)
    assert shown == shown | {
        "already_registered": True,
        "asset_id": first["asset_id"],
        "owner": CREATOR.address,
    }
    assert "already registered" in again.stderr


def test_a_big_multi_chunk_model_is_hashed_stored_and_registered(genip: Genip, tmp_path: Path) -> None:
    model = tmp_path / "lora.bin"
    model.write_bytes(np.random.default_rng(3).integers(0, 256, 9 * 1024 * 1024, dtype=np.uint8).tobytes())
    out = genip("register", str(model), "--kind", "model", "--title", "LoRA", "--json", key=CREATOR).json()
    digest = digest_file(model)
    assert out["cid"] == digest.cid and out["sha256"] == digest.sha256_hex
    store = LocalStore(genip.data_dir / "store")
    assert not store.has(digest.cid)  # sealed: streamed through AES-GCM segments, never stored in the clear
    assert originals_of(Settings(data_dir=genip.data_dir), store).read(digest.cid) == model.read_bytes()


def test_an_unknown_kind_is_refused(genip: Genip, tmp_path: Path) -> None:
    image = make_image(tmp_path / "a.png")
    assert "unknown kind 'song'" in genip("register", str(image), "--kind", "song", "--title", "A").error()


def test_a_missing_file_is_one_line_error(genip: Genip, tmp_path: Path) -> None:
    err = genip("register", str(tmp_path / "nope.png"), "--title", "X", "--prompt", "p", key=CREATOR).error()
    assert "nope.png" in err and "cannot be read" in err


def test_an_unreadable_file_is_one_line_error(genip: Genip, tmp_path: Path) -> None:
    err = genip("register", str(tmp_path), "--title", "X", "--prompt", "p", key=CREATOR).error()
    assert "is a directory" in err


def test_a_missing_signing_key_is_one_line_error(genip: Genip, tmp_path: Path) -> None:
    image = make_image(tmp_path / "a.png")
    assert "no signing account" in genip("register", str(image), "--title", "A", "--prompt", "p").error()
