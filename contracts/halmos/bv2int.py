"""A solver front-end for halmos that proves bit-vector queries unsat in integer arithmetic.

halmos writes each query as an SMT-LIB file over 256-bit bit-vectors and runs `--solver-command CMD FILE`.
Bit-blasting solvers time out on the revenue split's products and divisions (`q * bps`, `v / 10 000`): proving
that two multiplier circuits agree is hard for SAT. The same facts are easy in nonlinear integer arithmetic,
so this script reads the query with z3, rewrites every bit-vector term as the integer it denotes
(`bvmul a b` becomes `(a * b) mod 2^w`, `extract` a div and a mod, ...), skipping a `mod` where interval
bounds show the value cannot wrap, and asks z3's integer solver. The rewriting is exact; an assertion it
cannot rewrite (arrays such as halmos's balance map) is dropped, which only weakens the query, so "unsat"
stays sound. Anything but
"unsat" is handed to the ordinary bit-vector solver (yices, as halmos's default) for a real answer and model.

Usage: bv2int.py [--timeout=SECONDS] [--fallback="CMD ..."] FILE
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from typing import Any

import z3  # type: ignore[import-not-found]  # halmos's venv has it; the project's does not

FALLBACK = "yices-smt2 --smt2-model-format --bvconst-in-decimal"


# A translated term: its integer (or Boolean) form and bounds on its value.
Term = tuple[Any, int, int]


class Unsupported(Exception):
    """A term this translation does not cover."""


class Translator:
    def __init__(self) -> None:
        self.cache: dict[int, Term] = {}
        self.raw_cache: dict[int, Term] = {}
        self.side: list[z3.BoolRef] = []  # range facts of the integer stand-ins for bit-vector variables
        self.vars: dict[str, z3.ArithRef] = {}

    def wrap(self, x: z3.ArithRef, lo: int, hi: int, w: int) -> tuple[z3.ArithRef, int, int]:
        m = 1 << w
        if lo >= 0 and hi < m:
            return x, lo, hi
        return x % m, 0, m - 1

    def raw(self, e: z3.ExprRef) -> Term:
        """`e` up to a multiple of 2^width, wrapping deferred through sums, differences and products (each
        congruence-preserving), so `a - b - c` takes one `mod`, not one per step. Constants above 2^(w-1)
        count as negative (`x * (2^256 - 1)` is `-x`), which is how the compiler writes subtraction."""
        key = e.get_id()
        if key in self.raw_cache:
            return self.raw_cache[key]
        k = e.decl().kind()
        w = e.size() if z3.is_bv(e) else 0
        if z3.is_bv_value(e):
            v = e.as_long()
            v = v - (1 << w) if v > (1 << (w - 1)) else v
            r: Term = (z3.IntVal(v), v, v)
        elif k == z3.Z3_OP_BADD:
            parts = [self.raw(c) for c in e.children()]
            r = (
                z3.Sum([x for x, _, _ in parts]),
                sum(lo for _, lo, _ in parts),
                sum(hi for _, _, hi in parts),
            )
        elif k == z3.Z3_OP_BSUB:
            (x, xlo, xhi), (y, ylo, yhi) = (self.raw(c) for c in e.children())
            r = (x - y, xlo - yhi, xhi - ylo)
        elif k == z3.Z3_OP_BNEG:
            x, xlo, xhi = self.raw(e.children()[0])
            r = (-x, -xhi, -xlo)
        elif k == z3.Z3_OP_BMUL or (
            k == z3.Z3_OP_UNINTERPRETED and e.num_args() == 2 and e.decl().name().startswith("f_evm_bvmul_")
        ):
            x, lo, hi = self.raw(e.children()[0])
            for c in e.children()[1:]:
                y, ylo, yhi = self.raw(c)
                corners = (lo * ylo, lo * yhi, hi * ylo, hi * yhi)
                x, lo, hi = x * y, min(corners), max(corners)
            r = (x, lo, hi)
        else:
            r = self.tr(e)
        self.raw_cache[key] = r
        return r

    def tr(self, e: z3.ExprRef) -> Term:
        key = e.get_id()
        if key in self.cache:
            return self.cache[key]
        r = self._tr(e)
        self.cache[key] = r
        return r

    def _tr(self, e: z3.ExprRef) -> Term:
        k = e.decl().kind()
        a = [self.tr(c) for c in e.children()] if k != z3.Z3_OP_UNINTERPRETED else []
        if z3.is_bv_value(e):
            v = e.as_long()
            return z3.IntVal(v), v, v
        if z3.is_true(e) or z3.is_false(e):
            return e, 0, 1
        if k == z3.Z3_OP_UNINTERPRETED and e.num_args() == 2 and e.decl().name().startswith("f_evm_"):
            return self.evm_op(e)
        if k == z3.Z3_OP_UNINTERPRETED:
            if e.num_args() != 0 or not z3.is_bv(e):
                raise Unsupported(str(e.decl()))
            w = e.size()
            name = e.decl().name()
            x = self.vars.get(name)
            if x is None:
                x = self.vars[name] = z3.Int(name)
                self.side.append(z3.And(x >= 0, x < (1 << w)))
            return x, 0, (1 << w) - 1
        if z3.is_bv(e):
            w = e.size()
            m = 1 << w
            if k in (z3.Z3_OP_BADD, z3.Z3_OP_BSUB, z3.Z3_OP_BNEG, z3.Z3_OP_BMUL):
                return self.wrap(*self.raw(e), w)
            if k in (z3.Z3_OP_BUDIV, z3.Z3_OP_BUDIV_I):
                (x, xlo, xhi), (y, ylo, yhi) = a
                if ylo > 0:
                    return x / y, xlo // yhi, xhi // ylo
                return z3.If(y == 0, z3.IntVal(m - 1), x / y), 0, m - 1
            if k in (z3.Z3_OP_BUREM, z3.Z3_OP_BUREM_I):
                (x, xlo, xhi), (y, ylo, yhi) = a
                if ylo > 0:
                    return x % y, 0, min(xhi, yhi - 1)
                return z3.If(y == 0, x, x % y), 0, xhi
            if k == z3.Z3_OP_EXTRACT:
                hi_bit, lo_bit = e.params()
                ((x, xlo, xhi),) = a
                if lo_bit:
                    d = 1 << lo_bit
                    x, xlo, xhi = x / d, xlo // d, xhi // d
                return self.wrap(x, xlo, xhi, hi_bit - lo_bit + 1)
            if k == z3.Z3_OP_CONCAT:
                x, lo, hi = a[0]
                for c, (y, ylo, yhi) in zip(e.children()[1:], a[1:], strict=True):
                    s = 1 << c.size()
                    x, lo, hi = x * s + y, lo * s + ylo, hi * s + yhi
                return x, lo, hi
            if k == z3.Z3_OP_ZERO_EXT:
                return a[0]
            if k == z3.Z3_OP_ITE:
                (c, _, _), (x, xlo, xhi), (y, ylo, yhi) = a
                return z3.If(c, x, y), min(xlo, ylo), max(xhi, yhi)
            raise Unsupported(str(e.decl()))
        if z3.is_bool(e):
            if k == z3.Z3_OP_AND:
                return z3.And([x for x, _, _ in a]), 0, 1
            if k == z3.Z3_OP_OR:
                return z3.Or([x for x, _, _ in a]), 0, 1
            if k == z3.Z3_OP_NOT:
                return z3.Not(a[0][0]), 0, 1
            if k == z3.Z3_OP_IMPLIES:
                return z3.Implies(a[0][0], a[1][0]), 0, 1
            if k == z3.Z3_OP_ITE:
                return z3.If(a[0][0], a[1][0], a[2][0]), 0, 1
            if k in (z3.Z3_OP_EQ, z3.Z3_OP_IFF):
                if not all(z3.is_bv(c) or z3.is_bool(c) for c in e.children()):
                    raise Unsupported(str(e.decl()))
                return a[0][0] == a[1][0], 0, 1
            if k == z3.Z3_OP_DISTINCT:
                return z3.Distinct([x for x, _, _ in a]), 0, 1
            cmp = {
                z3.Z3_OP_ULEQ: lambda x, y: x <= y,
                z3.Z3_OP_ULT: lambda x, y: x < y,
                z3.Z3_OP_UGEQ: lambda x, y: x >= y,
                z3.Z3_OP_UGT: lambda x, y: x > y,
            }.get(k)
            if cmp is not None:
                return cmp(a[0][0], a[1][0]), 0, 1
        raise Unsupported(str(e.decl()))

    def evm_op(self, e: z3.ExprRef) -> Term:
        """halmos's first queries leave products and quotients as functions `f_evm_<op>_<width>`; its later
        ("refined") queries define them as the EVM does (x / 0 = x % 0 = 0). Both get that meaning here."""
        op = e.decl().name().rsplit("_", 1)[0].removeprefix("f_evm_")
        (x, xlo, xhi), (y, ylo, yhi) = (self.tr(c) for c in e.children())
        w = e.size()
        if op == "bvmul":
            return self.wrap(*self.raw(e), w)
        if op == "bvudiv":
            if ylo > 0:
                return x / y, xlo // yhi, xhi // ylo
            return z3.If(y == 0, z3.IntVal(0), x / y), 0, xhi
        if op == "bvurem":
            if ylo > 0:
                return x % y, 0, min(xhi, yhi - 1)
            return z3.If(y == 0, z3.IntVal(0), x % y), 0, xhi
        raise Unsupported(e.decl().name())


def prove_unsat(path: str, timeout_s: float) -> bool:
    """True when the integer form of the query (less any assertion it cannot express) is unsat."""
    assertions = z3.parse_smt2_file(path)
    t = Translator()
    kept = []
    for f in assertions:
        try:
            kept.append(t.tr(f)[0])
        except Unsupported:
            continue
    s = z3.SolverFor("QF_NIA")
    s.set("timeout", max(1, int(timeout_s * 1000)))
    s.add(*t.side, *kept)
    return bool(s.check() == z3.unsat)


def main(argv: list[str]) -> int:
    timeout_s = 60.0
    fallback = FALLBACK
    files = []
    for arg in argv:
        if arg.startswith("--timeout="):
            timeout_s = float(arg.split("=", 1)[1])
        elif arg.startswith("--fallback="):
            fallback = arg.split("=", 1)[1]
        else:
            files.append(arg)
    # Deep terms recurse once per level; past the limit the script fails closed (no answer: halmos errors).
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    start = time.monotonic()
    # z3 gets three quarters of the budget, so that yices keeps time to find a counterexample to a false
    # claim (a 1-second leftover turned one into a timeout in review).
    if prove_unsat(files[0], timeout_s * 0.75):
        print("unsat")
        return 0
    left = max(1.0, timeout_s - (time.monotonic() - start))
    cmd = shlex.split(fallback)
    # The solvers come with halmos's venv, which need not be on PATH.
    cmd[0] = shutil.which(cmd[0]) or os.path.join(os.path.dirname(sys.executable), cmd[0])
    try:
        done = subprocess.run([*cmd, files[0]], capture_output=True, text=True, timeout=left)
    except (subprocess.TimeoutExpired, OSError):
        print("unknown")
        return 0
    sys.stdout.write(done.stdout)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
