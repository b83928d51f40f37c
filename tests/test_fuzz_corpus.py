"""The fuzz scripts (`scripts/fuzz_*.py`) and their committed corpus stay in working order: every corpus file
goes through its script's `test_one_input`, without atheris' engine, and must pass (a parser that raises
anything but its documented error, or breaks a promise the script checks, fails here)."""

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
NAMES = ("safetensors", "workflow", "metadata", "image")


@pytest.fixture(scope="module")
def scripts() -> Iterator[dict[str, ModuleType]]:
    """The fuzz scripts, imported as modules (their parsers are not instrumented: `fuzzing.run` does that)."""
    sys.path.insert(0, str(SCRIPTS))
    try:
        yield {name: importlib.import_module(f"fuzz_{name}") for name in NAMES}
    finally:
        sys.path.remove(str(SCRIPTS))


@pytest.mark.parametrize("name", NAMES)
def test_every_corpus_file_passes_its_fuzz_target(scripts: dict[str, ModuleType], name: str) -> None:
    files = sorted(p for p in (CORPUS / name).iterdir() if p.is_file())
    assert files, f"no corpus for {name}"
    for path in files:
        try:
            scripts[name].test_one_input(path.read_bytes())
        except Exception as exc:
            raise AssertionError(f"{path.relative_to(CORPUS)}: {exc!r}") from exc


@pytest.mark.parametrize("name", NAMES)
def test_the_scripts_seeds_are_committed(scripts: dict[str, ModuleType], name: str) -> None:
    seeds = scripts[name].seed_inputs()
    missing = sorted(file_name for file_name in seeds if not (CORPUS / name / file_name).is_file())
    assert not missing, f"run scripts/fuzz_{name}.py --write-seeds and commit {missing}"
    assert sum(len(data) for data in seeds.values()) < 8 * 1024  # seeds stay tiny


def test_each_script_has_a_corpus_and_the_same_command_line() -> None:
    assert sorted(p.stem.removeprefix("fuzz_") for p in SCRIPTS.glob("fuzz_*.py")) == sorted(NAMES)
    assert sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) == sorted(NAMES)
