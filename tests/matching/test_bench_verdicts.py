"""The verdict section of `scripts/bench_match_robustness.py` on a few works, on a real SQLite registry with
the indexer's provenance step: around each original, near-duplicates registered later by other creators and
a derivative registered under a licence; every verdict of the rule over all candidates is right where the
old rule (the first candidate alone) is not. Two cases the benchmark found wrong (a
derivative registered after copies of its ancestor; an upload of the original beside a tinted derivative) are
kept as regressions, and the full run's last misses (a crop of a tinted derivative; crops of checkerboard
tiles) too."""

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import skimage.data

from genip.settings import Settings
from tests.script_modules import load_script


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("bench_match_robustness")


def _plan(bench: ModuleType, source: str, scenario: str, copies: tuple[str, ...], **options: Any) -> Any:
    work = bench.Work(source, source, bench._rgb(getattr(skimage.data, source)()))
    fields = {"licensed_copy": None, "derivative": None, "derivative_late": False} | options
    return bench.VerdictPlan(work=work, chain_id=1, scenario=scenario, copies=copies, **fields)


def _run(bench: ModuleType, tmp_path: Path, *plans: Any) -> dict[str, Any]:
    figures: dict[str, Any] = bench.run_verdicts(list(plans), Settings(data_dir=tmp_path), tmp_path)
    return figures


def test_every_verdict_is_right_with_copies_and_a_derivative_around(
    bench: ModuleType, tmp_path: Path
) -> None:
    figures = _run(
        bench,
        tmp_path,
        # The brand's licence is on the original; a crop and a JPEG copy sit closer to some uploads.
        _plan(bench, "astronaut", "original", ("crop 5%", "jpeg q75")),
        # On a derivative (a caption) registered before the copy; the brand posts the derivative.
        _plan(bench, "coffee", "derivative", ("resize 50%",), derivative="caption"),
        # On a copy only (a crop, which an upload's crop matches first): licenses nothing; the verdict names
        # the original, not the copy.
        _plan(bench, "camera", "copy", ("crop 5%", "brightness +30%"), licensed_copy=0),
    )
    assert figures["wrong"] == [] and figures["no_matches"] == []
    assert figures["cases"] == 3 * len(bench.UPLOAD_TRANSFORMS) and figures["new_correct"] == 1.0
    assert figures["copies_recorded"] == figures["copies"] == 5
    assert figures["derivatives"] == 1 and figures["derivatives_recorded_as_copies"] == 0
    # The old rule took the first candidate alone: a closer copy hid the licensed original, or its licence
    # passed for the original's.
    assert figures["scenarios"]["original"]["old_correct"] < figures["scenarios"]["original"]["cases"]
    assert figures["scenarios"]["copy"]["old_verdict_correct"] < figures["scenarios"]["copy"]["cases"]


def test_a_derivative_registered_after_copies_of_its_ancestor_is_licensed(
    bench: ModuleType, tmp_path: Path
) -> None:
    figures = _run(
        bench,
        tmp_path,
        _plan(bench, "astronaut", "derivative", ("resize 50%",), derivative="caption", derivative_late=True),
    )
    assert figures["derivatives_recorded_as_copies"] == 0
    assert figures["wrong"] == []


def test_an_unlicensed_upload_of_the_original_rests_on_it_beside_a_tinted_derivative(
    bench: ModuleType, tmp_path: Path
) -> None:
    figures = _run(
        bench, tmp_path, _plan(bench, "coins", "none", ("resize 50%", "jpeg q75"), derivative="tint")
    )
    assert figures["wrong"] == []


def _tile_plan(
    bench: ModuleType,
    source: str,
    cell: tuple[int, int, int],
    scenario: str,
    copies: tuple[str, ...],
    **options: Any,
) -> Any:
    """A plan for one tile (grid, i, j) of `source`, on the chain of its tile position as in the benchmark."""
    grid, i, j = cell
    image = bench._rgb(getattr(skimage.data, source)())
    (work,) = [t for t in bench.tiles(source, image, grid) if t.name == f"{source}[{grid}x{grid}:{i},{j}]"]
    fields = {"licensed_copy": None, "derivative": None, "derivative_late": False} | options
    return bench.VerdictPlan(work=work, chain_id=1 + grid * i + j, scenario=scenario, copies=copies, **fields)


def test_a_crop_of_a_tinted_derivative_is_licensed_on_the_derivative(
    bench: ModuleType, tmp_path: Path
) -> None:
    """The full run's misses: a 5 % crop of a tinted gravel derivative is within the hash distances of the
    original and its copies but not of the derivative, which only the keypoints find; the crop stage now
    runs although a hash matched, so the licence on the derivative counts."""
    plan = _tile_plan(
        bench,
        "gravel",
        (2, 1, 0),
        "derivative",
        ("gamma 0.7", "resize 50%"),
        derivative="tint",
        derivative_late=True,
    )
    figures = _run(bench, tmp_path, plan)
    assert figures["wrong"] == [] and figures["no_matches"] == []
    assert figures["new_correct"] == 1.0 and figures["cases"] == len(bench.UPLOAD_TRANSFORMS)


def test_crops_of_checkerboard_tiles_are_recorded_as_copies_and_verdicts_rest_on_the_original(
    bench: ModuleType, tmp_path: Path
) -> None:
    """The full run's misses on checkerboard tiles: a 5 % crop registered by another creator was not
    recorded as a copy (so a licence sold on it passed for the original's, and an upload matching only it
    rested on it), and a 5 % crop of the original matched only a captioned derivative, on which the verdict
    rested. The thumbnails' centre views find the original in both."""
    plans = [
        _tile_plan(
            bench, "checkerboard", (3, 0, 1), "copy", ("crop 5%",), derivative="caption", licensed_copy=0
        ),
        _tile_plan(
            bench,
            "checkerboard",
            (3, 1, 2),
            "original",
            ("crop 5%", "brightness +30%", "contrast -30%"),
            derivative="logo",
        ),
        _tile_plan(bench, "checkerboard", (3, 2, 0), "none", ("brightness +30%",), derivative="caption"),
    ]
    figures = _run(bench, tmp_path, *plans)
    assert figures["copies_recorded"] == figures["copies"] == 5
    assert figures["derivatives_recorded_as_copies"] == 0
    assert figures["wrong"] == []
    assert figures["new_correct"] == 1.0 and figures["cases"] >= 3 * (len(bench.UPLOAD_TRANSFORMS) - 1)
