"""The rules that decide a claim's verdict, stated before the number is known, and the verdicts they give.

A rule reads the paper's value, ours and optionally a 95 % interval around ours; :func:`decide` applies it to ours
and, the same way, to the claim's null (or an absence claim's positive control). The verdicts are explained in
:mod:`replicate.core.claims`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

VERDICTS = (
    "replicated",
    "direction holds",
    "inconclusive",
    "uninformative",
    "unstable",
    "not replicated",
    "not applicable",
)


def plain(value):
    """A JSON-safe Python value (numpy scalars and arrays converted)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _number(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def close(reference: float, value: float, rel: float, abs_: float) -> bool:
    """``|value - reference| <= abs_ + rel * |reference|``, false for a non-finite value.

    A 1e-12 slack keeps a value exactly on the boundary (0.33 against 0.30 within 10 %) inside despite float rounding.
    """
    slack = 1e-12 * max(1.0, abs(reference))
    return math.isfinite(value) and abs(value - reference) <= abs_ + rel * abs(reference) + slack


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


class _Undecided(Exception):
    """An interval with a non-finite end (one user, one session): it decides nothing."""


def _interval(interval) -> tuple[float, float] | None:
    """A usable (low, high) pair, or None when there is no interval; raises :class:`_Undecided` for an interval with
    a non-finite end (it is not an exact value: the rules read it as inconclusive)."""
    if interval is None:
        return None
    low, high = (_number(v) for v in interval)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise _Undecided
    if low > high:
        raise ValueError(f"interval ({low}, {high}) has its low end above its high end")
    return low, high


@dataclass(frozen=True)
class Rule:
    """Decides the verdict of a claim from the paper's value, ours, and optionally an interval around ours."""

    def verdict(self, paper, ours, interval=None) -> str:
        """The verdict; an interval with a non-finite end is inconclusive for every rule but :class:`Exact`."""
        try:
            return self._verdict(paper, ours, interval)
        except _Undecided:
            return "inconclusive"

    def _verdict(self, paper, ours, interval=None) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def flips_at(self, paper, ours, interval=None) -> str:
        """Where the verdict would flip: the tolerance or bound at which ours (all of its interval, when it has one)
        would just meet the rule. Empty where the rule has no threshold to move."""
        return ""

    def spec(self) -> dict:
        """The rule as JSON (type and fields), so that verdicts can be decided again, e.g. over seeds."""
        return {"type": type(self).__name__, **{f.name: plain(getattr(self, f.name)) for f in fields(self)}}


def rule_from_spec(spec: dict) -> Rule:
    """The rule that :meth:`Rule.spec` wrote."""
    spec = dict(spec)
    kind = RULES[spec.pop("type")]
    if "baseline" in spec and spec["baseline"] is not None:
        spec["baseline"] = tuple(spec["baseline"])
    return kind(**spec)


@dataclass(frozen=True)
class Exact(Rule):
    """Replicated when ours equals the paper's value (counts, categorical facts)."""

    def _verdict(self, paper, ours, interval=None) -> str:
        return "replicated" if plain(ours) == plain(paper) else "not replicated"

    def describe(self) -> str:
        return "equal"


@dataclass(frozen=True)
class Within(Rule):
    """Replicated when ``|ours - paper| <= abs + rel * |paper|``; with an interval, when all of it lies in that band
    (inconclusive when it straddles an edge, not replicated when it lies outside).

    With ``baseline=(paper_ref, ours_ref)``, a miss still counts as ``direction holds`` when ours lies on the same side
    of our reference as the paper's value lies of the paper's reference (e.g. "RecoNet beats FM").
    """

    rel: float = 0.0
    abs: float = 0.0
    baseline: tuple | None = None

    def _verdict(self, paper, ours, interval=None) -> str:
        paper, ours = _number(paper), _number(ours)
        band = _interval(interval)
        if band is not None:
            tolerance = self.abs + self.rel * abs(paper)
            inside = [close(paper, end, self.rel, self.abs) for end in band]
            if all(inside):
                return "replicated"
            if band[0] <= paper + tolerance and band[1] >= paper - tolerance:
                return "inconclusive"
        elif close(paper, ours, self.rel, self.abs):
            return "replicated"
        if self.baseline is not None:
            paper_ref, ours_ref = (_number(v) for v in self.baseline)
            paper_side = _sign(paper - paper_ref)
            if paper_side != 0 and paper_side == _sign(ours - ours_ref):
                return "direction holds"
        return "not replicated"

    def flips_at(self, paper, ours, interval=None) -> str:
        if not (_is_number(paper) and _is_number(ours)):
            return ""
        paper, ours = float(paper), float(ours)
        ends = [ours] if interval is None else [float(v) for v in interval]
        if not all(math.isfinite(v) for v in ends):
            return ""
        needed = max(abs(v - paper) for v in ends)
        if self.rel and paper != 0:
            return f"within ±{needed / abs(paper):.1%}"
        return f"within ±{format_value(needed)}"

    def describe(self) -> str:
        parts = []
        if self.rel:
            parts.append(f"{self.rel:.0%}" if self.rel >= 0.01 else f"rel {self.rel:g}")
        if self.abs:
            parts.append(format_value(self.abs))
        text = "within ±" + (" + ".join(parts) if parts else "0")
        if self.baseline is not None:
            paper_ref, ours_ref = (format_value(plain(v)) for v in self.baseline)
            text += f"; direction vs reference (paper {paper_ref}, ours {ours_ref})"
        return text


def _flip_bound(ours, interval, above: bool) -> str:
    """The bound at which ``ours >= bound`` (``above``) or ``ours <= bound`` would just hold for all of ours."""
    if not _is_number(ours):
        return ""
    ends = [float(ours)] if interval is None else [float(v) for v in interval]
    if not all(math.isfinite(v) for v in ends):
        return ""
    return f"bound {format_value(min(ends) if above else max(ends))}"


def _bound_verdict(ours: float, bound: float, interval, above: bool) -> str:
    band = _interval(interval)
    low, high = band if band is not None else (ours, ours)
    meets = (lambda v: v >= bound) if above else (lambda v: v <= bound)
    if meets(low) and meets(high):
        return "replicated"
    if not meets(low) and not meets(high):
        return "not replicated"
    return "inconclusive"


@dataclass(frozen=True)
class AtLeast(Rule):
    """Replicated when ours >= ``bound`` (the paper's value when no bound is given), e.g. a speed-up "> 1000x"; with
    an interval, when its low end is; inconclusive when only its high end is."""

    bound: float | None = None

    def _verdict(self, paper, ours, interval=None) -> str:
        bound = _number(paper if self.bound is None else self.bound)
        return _bound_verdict(_number(ours), bound, interval, above=True)

    def flips_at(self, paper, ours, interval=None) -> str:
        return _flip_bound(ours, interval, above=True)

    def describe(self) -> str:
        return "ours >= paper" if self.bound is None else f"ours >= {self.bound:g}"


@dataclass(frozen=True)
class AtMost(Rule):
    """Replicated when ours <= ``bound`` (the paper's value when no bound is given), e.g. a p-value "< 1e-4"; with an
    interval, when its high end is; inconclusive when only its low end is."""

    bound: float | None = None

    def _verdict(self, paper, ours, interval=None) -> str:
        bound = _number(paper if self.bound is None else self.bound)
        return _bound_verdict(_number(ours), bound, interval, above=False)

    def flips_at(self, paper, ours, interval=None) -> str:
        return _flip_bound(ours, interval, above=False)

    def describe(self) -> str:
        return "ours <= paper" if self.bound is None else f"ours <= {self.bound:g}"


@dataclass(frozen=True)
class Exceeds(Rule):
    """For "significantly larger" (or, with ``below=True``, smaller): ours is an effect (a difference, paired over
    users or seeds) with its 95 % interval. Replicated when the whole interval lies beyond ``bound``, not replicated
    when the whole interval lies on the other side (or on it), inconclusive when it straddles ``bound`` (a sign alone
    is a coin flip under the null) or when there is no interval."""

    bound: float = 0.0
    below: bool = False

    def _verdict(self, paper, ours, interval=None) -> str:
        _number(ours)
        band = _interval(interval)
        if band is None:
            return "inconclusive"
        beyond = (lambda v: v < self.bound) if self.below else (lambda v: v > self.bound)
        if beyond(band[0]) and beyond(band[1]):
            return "replicated"
        if not beyond(band[0]) and not beyond(band[1]):
            return "not replicated"
        return "inconclusive"

    def flips_at(self, paper, ours, interval=None) -> str:
        return "" if interval is None else _flip_bound(ours, interval, above=not self.below)

    def describe(self) -> str:
        side = "below" if self.below else "above"
        return f"95 % interval {side} {self.bound:g}"


@dataclass(frozen=True)
class Holds(Rule):
    """For a qualitative statement measured as a yes/no: replicated when ours is true."""

    def _verdict(self, paper, ours, interval=None) -> str:
        if not isinstance(plain(ours), bool):
            raise TypeError(f"Holds needs a bool for ours, got {ours!r}")
        return "replicated" if ours else "not replicated"

    def describe(self) -> str:
        return "the statement holds on our data"


@dataclass(frozen=True)
class Order(Rule):
    """For a ranking (methods, modalities): paper and ours are lists of labels, best first. Replicated when Kendall's
    tau between the two orders is at least ``min_tau`` and, when ``focal`` names the paper's own method, that method
    stands at place ``focal_within`` or better in ours (1 = first). A method of the paper's order missing from ours
    counts against ours: it is placed last, in the worst order (:func:`completed_order`). The scorecard shows tau."""

    min_tau: float = 0.5
    focal: str | None = None
    focal_within: int = 1

    def _verdict(self, paper, ours, interval=None) -> str:
        from replicate.stats import kendall_tau

        ours = completed_order(paper, ours)
        tau = kendall_tau(list(paper), ours)
        if self.focal is not None and ours.index(self.focal) + 1 > self.focal_within:
            return "not replicated"
        return "replicated" if math.isfinite(tau) and tau >= self.min_tau else "not replicated"

    def flips_at(self, paper, ours, interval=None) -> str:
        from replicate.stats import kendall_tau

        if not isinstance(paper, (list, tuple)) or not isinstance(ours, (list, tuple)):
            return ""
        tau = kendall_tau(list(paper), completed_order(paper, ours))
        return f"min τ {tau:.2f}" if math.isfinite(tau) else ""

    def describe(self) -> str:
        text = f"Kendall's tau with the paper's order >= {self.min_tau:g}"
        if self.focal is not None:
            text += f"; {self.focal} " + ("first" if self.focal_within == 1 else f"among the first {self.focal_within}")
        return text


def completed_order(paper, ours) -> list:
    """Ours with every label of the paper's order that ours lacks appended last, in the reverse of the paper's order
    (the worst place it could have): a missing method counts against ours, never drops out."""
    ours = [label for label in (ours or [])]
    missing = [label for label in paper if label not in ours]
    return ours + missing[::-1]


@dataclass(frozen=True)
class NotApplicable(Rule):
    """The paper's number cannot be compared here; ``reason`` says why (and what data it needs)."""

    reason: str = ""

    def _verdict(self, paper, ours, interval=None) -> str:
        return "not applicable"

    def describe(self) -> str:
        return f"not comparable: {self.reason}"


RULES = {r.__name__: r for r in (Exact, Within, AtLeast, AtMost, Exceeds, Holds, Order, NotApplicable)}


NO_NULL = object()  # ``null=`` not given (a ``None`` null is a value: the null's measurement came out empty)


def decide(rule: Rule, paper, ours, interval=None, null=NO_NULL, null_interval=None, absence=False):
    """(verdict, the null's verdict): the rule applied to ours and, with the same rule, to the null. Ours is
    ``replicated`` only when the null does not pass the rule too; a null that passes, or that could not be measured
    (``None``), makes ours ``uninformative``. The null is read as a skeptic reads it (:func:`null_verdict`): it
    passes when its value meets the rule, whatever the width of its interval, except for a significance rule
    (:class:`Exceeds`), where an interval that straddles the bound is exactly what no effect gives. For an absence or
    equivalence claim the null is its positive control, a planted effect of the size the claim rules out: ours is
    ``replicated`` only when the rule clearly rejects the control (``not replicated`` or ``direction holds``)."""
    verdict = rule.verdict(paper, ours, interval)
    if null is NO_NULL:
        return verdict, None
    judged = null_verdict(rule, paper, null, null_interval, absence)
    if verdict == "replicated" and not null_fails(judged, absence):
        verdict = "uninformative"
    return verdict, judged


def null_verdict(rule: Rule, paper, null, null_interval=None, absence: bool = False) -> str:
    """What the rule says of the null. An unmeasured null (``None``) is ``not measured``. A positive control is read
    like ours (with its interval: it must be clearly rejected). A null is read on its value too: a null whose value
    meets the rule passes even when its interval is too wide to decide (noise typically gives that value), except
    under :class:`Exceeds`, where an undecided interval is what no effect looks like."""
    if null is None:
        return "not measured"
    judged = rule.verdict(paper, null, null_interval)
    if not absence and judged == "inconclusive" and not isinstance(rule, Exceeds) and null_interval is not None:
        if rule.verdict(paper, null, None) == "replicated":
            return "replicated"
    return judged


def null_fails(null_verdict: str | None, absence: bool = False) -> bool:
    """Whether the null (an absence claim's positive control) fails the claim's rule: for a null, anything but
    ``replicated`` or ``not measured``; for a positive control, a clear rejection (``not replicated`` or ``direction
    holds``)."""
    if absence:
        return null_verdict in ("not replicated", "direction holds")
    return null_verdict is not None and null_verdict not in ("replicated", "not measured")


def format_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:  # a count aggregated over seeds: 100000.0 is 100,000
            return f"{int(value):,}"
        if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
            return f"{value:.3g}"
        return f"{value:,.4g}"
    return str(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
