"""What the fuzz scripts (`scripts/fuzz_*.py`) share: their command line, the seed corpus and the atheris run.

Each script defines `test_one_input(data)`, which feeds `data` to the real parser and lets only the parser's
documented error pass (anything else, a hang past `-timeout` or memory past `-rss_limit_mb` is a crash),
and `seed_inputs()`, the small valid and edge-case files it starts from. Then:

    .venv/bin/python scripts/fuzz_<name>.py [--seconds 180] [--runs N] [--save-corpus] [--write-seeds]

The seeds are committed under `tests/fuzz_corpus/<name>/` (`--write-seeds` regenerates them); what atheris
adds to the corpus goes to a scratch folder (`<tmp>/genip-fuzz/<name>/corpus`) unless `--save-corpus`
writes it next to the seeds. Crashing inputs are written to `<tmp>/genip-fuzz/<name>/crash-*`.
`tests/test_fuzz_corpus.py` runs every committed file through each `test_one_input` without the engine.

Only Gen-IP's own code (and whichever libraries a script names, e.g. Pillow's Python plugins) is
instrumented, after it is imported: the scripts import their parsers normally, so the test above can load
them without instrumenting anything.
"""

import argparse
import atexit
import gc
import shutil
import sys
import tempfile
import types
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genip.recursion import restore_recursion_limit  # noqa: E402

__all__ = ["CORPUS_ROOT", "DEFAULT_SECONDS", "JSON_TOKENS", "corpus_dir", "run", "scratch_file"]

#: Where the committed seed corpora live, one folder per script.
CORPUS_ROOT: Final = ROOT / "tests" / "fuzz_corpus"
#: Default length of a run: a few minutes, as the README's figures were taken with.
DEFAULT_SECONDS: Final = 180
#: Limits that turn a hang or a memory blow-up into a reported crash.
TIMEOUT_SECONDS: Final = 10
RSS_LIMIT_MB: Final = 2048
#: Dictionary tokens for parsers of JSON: its punctuation and the values a strict reader must refuse.
JSON_TOKENS: Final = (
    b"{",
    b"}",
    b"[",
    b"]",
    b'":',
    b'","',
    b"null",
    b"true",
    b"false",
    b"-0.0",
    b"1e999",
    b"12345678901234567890",
    b"NaN",
    b"-Infinity",
    b'"\\ud800"',
    b'"\\u0000"',
    b"\xef\xbb\xbf",
)


def corpus_dir(name: str) -> Path:
    """The committed seed corpus of the fuzz script `name`."""
    return CORPUS_ROOT / name


_scratch: list[Path] = []


def _fast_temp() -> Path:
    """In memory (`/dev/shm`) where there is one: every input is written to a scratch file."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() else Path(tempfile.gettempdir())


def scratch_file(file_name: str) -> Path:
    """A path in this process's scratch folder, for parsers that read files rather than bytes. Outside a
    fuzz run (the corpus test) the folder is made on first use and removed at exit; a fuzz run, which
    libFuzzer ends without running `atexit`, sets its own and empties it when it starts."""
    if not _scratch:
        folder = Path(tempfile.mkdtemp(prefix="genip-fuzz-", dir=_fast_temp()))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _scratch.append(folder)
    return _scratch[0] / file_name


def _instrument(prefixes: Iterable[str]) -> int:
    """Add atheris' coverage instrumentation to every Python function of the modules under `prefixes`
    already imported; returns how many functions were instrumented."""
    import atheris  # type: ignore[import-untyped]

    roots = tuple(prefixes)
    count = 0
    for obj in gc.get_objects():
        if not isinstance(obj, types.FunctionType):
            continue
        module = getattr(obj, "__module__", None) or ""
        if module not in sys.modules or not any(module == r or module.startswith(r + ".") for r in roots):
            continue
        try:
            atheris.instrument_func(obj)
        except Exception as exc:  # a function atheris cannot rewrite is left uninstrumented, and said so
            print(f"note: not instrumented: {module}.{obj.__qualname__}: {exc}", file=sys.stderr)
            continue
        count += 1
    return count


def _escaped(token: bytes) -> str:
    return "".join(f"\\x{byte:02x}" for byte in token)


def _write_seeds(name: str, seeds: Mapping[str, bytes]) -> None:
    target = corpus_dir(name)
    target.mkdir(parents=True, exist_ok=True)
    for file_name, data in seeds.items():
        (target / file_name).write_bytes(data)
    total = sum(len(d) for d in seeds.values())
    print(f"wrote {len(seeds)} seeds ({total} bytes) to {target.relative_to(ROOT)}")


def run(
    name: str,
    test_one_input: Callable[[bytes], None],
    seed_inputs: Callable[[], Mapping[str, bytes]],
    *,
    instrument: Iterable[str] = ("genip",),
    dictionary: Iterable[bytes] = (),
    max_len: int = 4096,
    description: str = "",
) -> None:
    """The command line of a fuzz script (see the module docstring); runs atheris, which exits the process.

    `instrument` names the packages whose code gives coverage, `dictionary` tokens the mutator may insert
    (JSON punctuation and the key names a parser looks for, which it cannot see inside C code)."""
    summary = description.strip().splitlines()[0] if description.strip() else f"Fuzz the {name} parser."
    parser = argparse.ArgumentParser(description=summary)
    parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS, help="how long to fuzz (default 180)")
    parser.add_argument("--runs", type=int, default=None, help="stop after this many inputs")
    parser.add_argument(
        "--save-corpus", action="store_true", help=f"add new inputs to tests/fuzz_corpus/{name}/ (committed)"
    )
    parser.add_argument("--write-seeds", action="store_true", help="regenerate the committed seeds and exit")
    parser.add_argument(
        "--max-len", type=int, default=max_len, help=f"longest input tried (default {max_len})"
    )
    args = parser.parse_args()

    if args.write_seeds:
        _write_seeds(name, seed_inputs())
        return
    import atheris

    restore_recursion_limit()  # as every service process does: the parsers meet the limit they meet there
    # Corrupt inputs make Pillow warn on every other run, and printing that slows the run to a crawl. Filters
    # the code under test sets itself (`load_image` makes DecompressionBombWarning an error) still apply.
    warnings.simplefilter("ignore")
    work = Path(tempfile.gettempdir()) / "genip-fuzz" / name
    scratch = _fast_temp() / "genip-fuzz-scratch" / name
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    _scratch[:] = [scratch]
    seeds = corpus_dir(name)
    grown = seeds if args.save_corpus else work / "corpus"
    grown.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    libfuzzer = [
        sys.argv[0],
        f"-max_total_time={args.seconds}",
        f"-max_len={args.max_len}",
        f"-timeout={TIMEOUT_SECONDS}",
        f"-rss_limit_mb={RSS_LIMIT_MB}",
        f"-artifact_prefix={work}/crash-",
        "-print_final_stats=1",
    ]
    tokens = list(dictionary)
    if tokens:  # libFuzzer's dictionary format: one quoted token a line, bytes as \xNN
        words = work / "dictionary.txt"
        words.write_text("".join(f'"{_escaped(token)}"\n' for token in tokens))
        libfuzzer.append(f"-dict={words}")
    if args.runs is not None:
        libfuzzer.append(f"-runs={args.runs}")
    libfuzzer.append(str(grown))  # new inputs go to the first folder
    if grown != seeds:
        libfuzzer.append(str(seeds))
    print(f"instrumented {_instrument(instrument)} functions; corpus {grown}", file=sys.stderr)
    atheris.Setup(libfuzzer, test_one_input)
    atheris.Fuzz()
