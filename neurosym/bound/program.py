"""A 0/1 linear program under construction, and solving it with HiGHS.

:class:`LinearProgram` collects named 0/1 variables with objective coefficients and
sparse rows ``lo <= sum(coef * var) <= hi``. :class:`Solver` hands it to HiGHS (the
``highspy`` bindings, which release the GIL while solving) and re-solves it after
bound changes: the linear relaxation with a warm start, or the integer program.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

#: A row's coefficients: (variable index, coefficient) pairs.
Terms = Iterable[tuple[int, float]]


class LinearProgram:
    """Named 0/1 variables (maximised objective) and sparse linear rows."""

    def __init__(self) -> None:
        self.names: list[tuple] = []
        self.index: dict[tuple, int] = {}
        self.obj: list[float] = []
        self.cost: list[float] = []        # the second objective (minimised): cents
        self._rows: list[int] = []
        self._cols: list[int] = []
        self._vals: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.fixed: dict[int, float] = {}   # variables fixed to a value (upper bound 0, ...)

    def var(self, name: tuple, obj: float = 0.0, cost: float = 0.0) -> int:
        """The index of variable ``name``, created on first use with these coefficients."""
        k = self.index.get(name)
        if k is None:
            k = self.index[name] = len(self.names)
            self.names.append(name)
            self.obj.append(obj)
            self.cost.append(cost)
        return k

    def get(self, name: tuple) -> int | None:
        return self.index.get(name)

    def fix(self, k: int, value: float = 0.0) -> None:
        self.fixed[k] = value

    def row(self, terms: Terms, lo: float = -math.inf, hi: float = math.inf) -> None:
        """Add ``lo <= sum(terms) <= hi``; an empty row that cannot hold makes the program infeasible."""
        r = len(self.lo)
        n = 0
        for k, v in terms:
            if v:
                self._rows.append(r)
                self._cols.append(k)
                self._vals.append(float(v))
                n += 1
        if n == 0:
            if lo <= 0 <= hi:
                return
            zero = self.var(("zero",))
            self.fix(zero, 0.0)
            self._rows.append(r)
            self._cols.append(zero)
            self._vals.append(1.0)
        self.lo.append(lo)
        self.hi.append(hi)

    @property
    def size(self) -> tuple[int, int, int]:
        """(variables, rows, nonzeros)."""
        return len(self.names), len(self.lo), len(self._vals)

    def matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows as a column-wise sparse matrix (start, index, value)."""
        from scipy.sparse import csc_array

        a = csc_array((self._vals, (self._rows, self._cols)), shape=(len(self.lo), len(self.names)))
        a.sort_indices()
        return a.indptr, a.indices, a.data


@dataclass
class Result:
    """One HiGHS run: status, objective and dual bound (both maximised), the solution."""

    status: str            # "optimal", "infeasible", "limit" (time or work), "error"
    value: float | None    # the best solution's objective (None: no solution)
    bound: float | None    # an upper bound on the objective (None: none proven)
    x: np.ndarray | None


class Solver:
    """A :class:`LinearProgram` in HiGHS, re-solved after bound changes.

    ``integer=False`` solves the linear relaxation (warm-started from the last basis
    after a bound change); ``integer=True`` the 0/1 program.
    """

    def __init__(self, program: LinearProgram, *, integer: bool, objective: str = "value",
                 work: dict[str, int] | None = None, interrupt: Callable[[], bool] | None = None):
        import highspy

        self.program, self.integer = program, integer
        h = self.h = highspy._Highs()   # the raw binding: the Python wrapper prints a banner to stdout
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("random_seed", 0)
        for option, value in (work or {}).items():   # work limits (reproducible solves)
            if integer or option.startswith("simplex"):
                h.setOptionValue(option, int(value))
        if not integer:
            h.setOptionValue("presolve", "off")   # re-solves after a bound change start from the last basis
        if integer:
            h.setOptionValue("mip_rel_gap", 0.0)
            h.setOptionValue("mip_abs_gap", 0.5)   # objectives are integers: 0.5 apart is proven
        n = len(program.names)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(program.lo)
        inf = highspy.kHighsInf
        lp.col_cost_ = np.asarray(program.obj if objective == "value" else program.cost, dtype=float)
        lp.sense_ = highspy.ObjSense.kMaximize if objective == "value" else highspy.ObjSense.kMinimize
        lp.col_lower_ = np.zeros(n)
        upper = np.ones(n)
        for k, v in program.fixed.items():
            upper[k] = v
        lp.col_upper_ = upper
        lp.row_lower_ = np.array([max(-inf, v) for v in program.lo], dtype=float)
        lp.row_upper_ = np.array([min(inf, v) for v in program.hi], dtype=float)
        start, index, value = program.matrix()
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value
        if integer:
            lp.integrality_ = [highspy.HighsVarType.kInteger] * n
        h.passModel(lp)
        if interrupt is not None and integer:   # asked while branching: True stops the solve
            def callback(_kind: Any, _message: str, _out: Any, data_in: Any, _user: Any) -> None:
                if data_in is not None and interrupt():
                    data_in.user_interrupt = True

            h.setCallback(callback, None)
            h.startCallback(highspy.cb.HighsCallbackType.kCallbackMipInterrupt)
        self._base_upper = upper
        self._hs = highspy

    def set_bounds(self, values: dict[int, float]) -> None:
        """Fix variables (index -> 0 or 1); others go back to their own bounds."""
        for k, v in values.items():
            self.h.changeColBounds(int(k), float(v), float(v))

    def release(self, indices: Iterable[int]) -> None:
        for k in indices:
            self.h.changeColBounds(int(k), 0.0, float(self._base_upper[k]))

    def add_row(self, terms: dict[int, float], lo: float, hi: float) -> None:
        idx = np.array(list(terms), dtype=np.int32)
        val = np.array([terms[k] for k in terms], dtype=float)
        self.h.addRow(lo, hi, len(idx), idx, val)

    def solve(self, time_limit: float) -> Result:
        hs, h = self._hs, self.h
        h.setOptionValue("time_limit", max(0.001, float(time_limit)))
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        has_x = info.primal_solution_status == 2   # feasible
        x = np.asarray(h.getSolution().col_value) if has_x else None
        value = info.objective_function_value if has_x else None
        if status == hs.HighsModelStatus.kOptimal:
            return Result("optimal", value, value, x)
        if status in (hs.HighsModelStatus.kInfeasible, hs.HighsModelStatus.kUnboundedOrInfeasible):
            return Result("infeasible", None, None, None)
        if status in (hs.HighsModelStatus.kTimeLimit, hs.HighsModelStatus.kIterationLimit,
                      hs.HighsModelStatus.kSolutionLimit, hs.HighsModelStatus.kInterrupt):
            bound = None
            if self.integer:
                db = info.mip_dual_bound
                bound = db if math.isfinite(db) else None
            return Result("limit", value, bound, x)
        return Result("error", value, None, x)
