"""`genip register` of a file that says how it was made (issue #21): the facts land in the metadata, never the
prompt; the creator is warned that the file they publish carries its prompt in clear."""

from pathlib import Path

from PIL import Image, PngImagePlugin

from genip.content.metadata import WorkMetadata
from genip.storage import LocalStore
from tests.cli.conftest import Genip
from tests.cli.test_register import make_image
from tests.helpers import CREATOR

PROMPT = "a lighthouse in a storm, oil painting"


def test_a_file_carrying_its_prompt_warns_and_keeps_only_the_facts(genip: Genip, tmp_path: Path) -> None:
    plain = make_image(tmp_path / "plain.png", seed=3)
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", f"{PROMPT}\nSteps: 20, Sampler: Euler a, Seed: 77, Model: sdxl_base")
    image = tmp_path / "storm.png"
    with Image.open(plain) as opened:
        opened.save(image, pnginfo=info)
    run = genip("register", str(image), "--title", "Storm", "--prompt", PROMPT, "--json", key=CREATOR)
    out = run.json()
    assert "this file carries its prompt in clear (37 characters), in its A1111 metadata" in " ".join(
        run.stderr.split()
    )
    assert out["made_with"].startswith("made with sdxl_base, in A1111; the file carries its prompt in clear")
    data = LocalStore(genip.data_dir / "store").get(out["metadata_cid"])
    assert PROMPT not in data.decode()
    made = WorkMetadata.from_bytes(data).made_with
    assert made is not None and made["generation"][0]["promptInFile"] is True


def test_a_file_that_says_nothing_registers_as_before(genip: Genip, tmp_path: Path) -> None:
    image = make_image(tmp_path / "quiet.png", seed=4)
    run = genip("register", str(image), "--title", "Quiet", "--prompt", "quiet", "--json", key=CREATOR)
    out = run.json()
    assert "made_with" not in out and "prompt in clear" not in run.stderr
    data = LocalStore(genip.data_dir / "store").get(out["metadata_cid"])
    assert WorkMetadata.from_bytes(data).made_with is None
