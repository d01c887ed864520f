"""Claims: every reproduced number, the paper's value beside ours, and the rule that decides the verdict.

A rule is stated before the number is known and is never widened to turn a verdict green. Every claim of a chapter is
declared once, before the run (:class:`Declared`, in ``replicate/papers/<stem>/claims.py``): the paper's words and
where they stand, the paper's value, the rule with its one-line reason, and the **null**, what a skeptic would put in
the model's place so that the property is absent (random attributions, an untrained network of another seed,
shuffled labels). The run measures ours and the null with the same function and the same rule: a claim whose null
passes too is not evidence. A claim of absence or equivalence ("does not help", "costs at most 2 points") has a
**positive control** instead: the same measurement on a planted effect of the size the claim rules out, which the
rule must reject. Each claim has a *kind*: ``paper`` (a statement the paper makes), ``fact`` (a data count, a dataset
fact, an identity of our code: not a result) or ``book`` (one of this book's own checks, shown apart). Verdicts:

- ``replicated``: ours meets the rule (within the stated tolerance, meets the paper's bound, or the stated property
  holds); when ours comes with an interval, the whole interval must meet it;
- ``direction holds``: the magnitude misses, but the comparison the paper draws goes the same way (a ``Within``
  rule with a measured reference);
- ``inconclusive``: the interval of ours is too wide for the rule to decide (it straddles the rule's boundary, or
  has a non-finite end: one user, one session), or a significance claim has no interval;
- ``uninformative``: ours meets the rule, but so does the null (or the positive control of an absence claim goes
  undetected): the measurement cannot tell the paper's property from its absence;
- ``unstable (k of N)``: over N seeds some seeds replicate and others fail (never shown as replicated);
- ``not replicated``: ours fails the rule, or could not be measured because of what this seed's model did;
- ``not applicable``: the paper's number is about data or a setting this book cannot reproduce (the reason is given).
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np

KINDS = ("paper", "fact", "book")
VERDICTS = (
    "replicated",
    "direction holds",
    "inconclusive",
    "uninformative",
    "unstable",
    "not replicated",
    "not applicable",
)
# Why a claim was not measured in a run: the run's data or options lack what it needs ("data": not applicable), it
# runs with the search on seed 0 only ("seed": the other seeds do not count), or this seed's model made it
# unmeasurable ("model", e.g. a movie in too few top tens: counts as a miss, "not replicated").
CAUSES = ("data", "seed", "model")
# Why a claim missed (``not replicated`` or ``unstable``), one small vocabulary for the whole book, set from the
# chapter's tested "Why" check where one exists: the data this book substitutes for the paper's, a compute budget
# below the paper's, a metric defined otherwise than the paper's, an implementation choice the paper leaves open,
# seed noise, or unknown (no tested cause).
MISS_CAUSES = ("data substitute", "budget", "metric definition", "implementation choice", "seed noise", "unknown")
# Default regeneration tolerance: a re-run must give the same value (counts exactly; floats up to the last digits).
# Chapters whose numbers come from training state a wider tolerance per claim, and it is committed with the reference.
DEFAULT_REGEN = {"rel": 1e-9, "abs": 0.0}


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


@dataclass(frozen=True)
class Declared:
    """One claim of a chapter, declared before the run (in ``replicate/papers/<stem>/claims.py``).

    ``statement``: what is measured, as the scorecard says it. ``quote``: the paper's own words (short), ``where``:
    where they stand (section, table, figure). ``paper``: the paper's value. ``rule`` and ``reason``: the rule and its
    one-line justification. ``null``: what a skeptic would put in the model's place so that the property is absent;
    for an ``absence`` claim (absence or equivalence), the positive control: the planted effect of the size the
    claim rules out. ``runtime``: fields of the rule measured in the run (a reference: ``bound``, ``baseline``), given
    to :meth:`Chapter.record <replicate.core.chapter.Chapter.record>` as ``rule_args``. ``same_as``: a statement
    already counted in another chapter (``"cvae:genre_order"``): shown, not counted twice in the book's headline.
    ``regen_rel``/``regen_abs``: how closely a re-run must reproduce ours; ``timing``: a wall time (not compared).
    ``why``: the title of the chapter's section that tests why the claim may not replicate; ``miss_cause``: what that
    section's tested check found as the most plausible cause of a miss (:data:`MISS_CAUSES`; a run may set it from
    its check with ``Chapter.record(..., miss_cause=...)``).
    """

    id: str
    statement: str
    kind: str
    rule: Rule
    reason: str = ""
    paper: object = None
    quote: str = ""
    where: str = ""
    null: str = ""
    absence: bool = False
    runtime: tuple = ()
    same_as: str = ""
    regen_rel: float = DEFAULT_REGEN["rel"]
    regen_abs: float = DEFAULT_REGEN["abs"]
    timing: bool = False
    why: str = ""
    miss_cause: str = ""

    def __post_init__(self):
        if self.miss_cause and self.miss_cause not in MISS_CAUSES:
            raise ValueError(
                f"claim {self.id!r}: miss_cause must be one of {', '.join(MISS_CAUSES)}, got {self.miss_cause!r}"
            )
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id!r}: kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if not isinstance(self.rule, Rule):
            raise TypeError(f"claim {self.id!r}: rule must be a Rule, got {self.rule!r}")
        missing = [name for name in self.required() if not str(getattr(self, name)).strip()]
        if missing:
            raise ValueError(f"claim {self.id!r} ({self.kind}) is declared without {', '.join(missing)}")
        for name in self.runtime:
            if name not in {f.name for f in fields(self.rule)}:
                raise ValueError(f"claim {self.id!r}: runtime field {name!r} is not a field of {self.rule!r}")

    @property
    def applicable(self) -> bool:
        return not isinstance(self.rule, NotApplicable)

    def required(self) -> list[str]:
        """What a declaration of this kind must state: a paper claim its words, place and reason and, when it can be
        tested here, its null (an absence claim: its positive control); a book check its reason."""
        if self.kind == "paper":
            return ["quote", "where", "reason"] + (["null"] if self.applicable else [])
        if self.kind == "book":
            return ["reason"] + (["null"] if self.absence else [])
        return []

    @property
    def needs_null(self) -> bool:
        """Whether a run must measure the null (every testable paper claim, and every absence claim)."""
        return self.applicable and (self.kind == "paper" or self.absence or bool(self.null))


def declare(*claims: Declared) -> dict[str, Declared]:
    """The chapter's declarations by id (each id once)."""
    out: dict[str, Declared] = {}
    for claim in claims:
        if claim.id in out:
            raise ValueError(f"claim {claim.id!r} declared twice")
        out[claim.id] = claim
    return out


def declarations(module: str) -> dict[str, Declared]:
    """The ``CLAIMS`` of a declaration module named by its dotted path (a chapter's header names it)."""
    import importlib

    loaded = importlib.import_module(module)
    found = getattr(loaded, "CLAIMS", None)
    if not isinstance(found, dict) or not all(isinstance(c, Declared) for c in found.values()):
        raise TypeError(f"{module} must define CLAIMS = declare(...)")
    return found


@dataclass
class Claim:
    """One recorded number. ``regen`` is the tolerance within which a re-run must reproduce ``ours``; ``interval`` an
    optional 95 % interval around ours that the rule reads; ``null`` and ``null_interval`` what the claim's null (or,
    for an ``absence`` claim, its positive control) gave with the same measurement, and ``null_verdict`` what the same
    rule said of it; ``seeds`` the per-seed values and verdicts of a claim aggregated over seeds (:func:`aggregate`).
    ``cause``: why a claim was not measured in this run (:data:`CAUSES`)."""

    chapter: str
    id: str
    description: str
    paper: object
    ours: object
    rule: str
    verdict: str
    kind: str = "paper"
    source: str = ""
    note: str = ""
    regen: dict = field(default_factory=lambda: dict(DEFAULT_REGEN))
    section: str = ""
    anchor: str = ""
    cell: str | None = None
    interval: list | None = None
    rule_spec: dict | None = None
    seeds: dict | None = None
    why: str = ""  # the title of the chapter's section that tests why the claim may not replicate
    why_anchor: str = ""
    quote: str = ""
    reason: str = ""
    null_model: str = ""  # what the null is (declared); for an absence claim, the planted effect
    absence: bool = False
    null: object = None
    null_interval: list | None = None
    null_verdict: str | None = None
    cause: str = ""
    same_as: str = ""
    miss_cause: str = ""  # the tested cause of a miss (:data:`MISS_CAUSES`), read by :func:`miss_cause`

    @classmethod
    def make(
        cls,
        chapter,
        id,
        description,
        paper,
        ours,
        rule: Rule,
        interval=None,
        null=NO_NULL,
        null_interval=None,
        **kwargs,
    ) -> "Claim":
        paper, ours = plain(paper), plain(ours)
        interval = None if interval is None else [float(v) for v in plain(interval)]
        null_interval = None if null_interval is None else [float(v) for v in plain(null_interval)]
        kind = kwargs.get("kind", "paper")
        if kind not in KINDS:
            raise ValueError(f"claim {id!r}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        null = null if null is NO_NULL else plain(null)
        verdict, null_verdict = decide(rule, paper, ours, interval, null, null_interval, kwargs.get("absence", False))
        return cls(
            chapter,
            id,
            description,
            paper,
            ours,
            rule.describe(),
            verdict,
            interval=interval,
            rule_spec=rule.spec(),
            null=None if null is NO_NULL else null,
            null_interval=null_interval,
            null_verdict=null_verdict,
            **kwargs,
        )

    @classmethod
    def declared(
        cls,
        chapter: str,
        declared: Declared,
        ours,
        interval=None,
        null=NO_NULL,
        null_interval=None,
        rule_args: dict | None = None,
        missing: str = "",
        cause: str = "data",
        **kwargs,
    ) -> "Claim":
        """The claim that a run records for a declaration: ours (and the null's) decided by the declared rule, with
        the run's measured ``rule_args`` (only the fields the declaration names as ``runtime``). ``missing``: why
        the claim was not measured in this run, and ``cause`` of what kind (:data:`CAUSES`)."""
        miss_cause = kwargs.pop("miss_cause", "")
        if miss_cause and miss_cause not in MISS_CAUSES:
            raise ValueError(f"claim {declared.id!r}: miss_cause must be one of {', '.join(MISS_CAUSES)}")
        rule_args = dict(rule_args or {})
        extra = set(rule_args) - set(declared.runtime)
        if extra:
            raise ValueError(f"claim {declared.id!r}: {', '.join(sorted(extra))} not declared as runtime fields")
        if set(declared.runtime) - set(rule_args) and not missing and declared.applicable:
            raise ValueError(f"claim {declared.id!r} needs rule_args {', '.join(declared.runtime)} measured in the run")
        rule = replace(declared.rule, **rule_args) if rule_args else declared.rule
        common = dict(
            kind=declared.kind,
            source=declared.where,
            quote=declared.quote,
            reason=declared.reason,
            null_model=declared.null,
            absence=declared.absence,
            same_as=declared.same_as,
            why=declared.why,
            miss_cause=miss_cause or declared.miss_cause,
            regen={
                "rel": declared.regen_rel,
                "abs": declared.regen_abs,
                **({"timing": True} if declared.timing else {}),
            },
            **kwargs,
        )
        if missing and declared.applicable:
            if cause not in CAUSES:
                raise ValueError(f"claim {declared.id!r}: cause must be one of {', '.join(CAUSES)}, got {cause!r}")
            verdict = "not replicated" if cause == "model" else "not applicable"
            label = "not measurable in this run" if cause == "model" else "not comparable"
            return cls(
                chapter,
                declared.id,
                declared.statement,
                plain(declared.paper),
                plain(ours),
                f"{label}: {missing}",
                verdict,
                rule_spec=rule.spec(),
                cause=cause,
                **common,
            )
        if declared.needs_null and null is NO_NULL:
            raise ValueError(
                f"claim {declared.id!r} ({declared.kind}) needs its null measured in the run: {declared.null}"
            )
        return cls.make(
            chapter,
            declared.id,
            declared.statement,
            declared.paper,
            ours,
            rule,
            interval=interval,
            null=null if declared.applicable else NO_NULL,
            null_interval=null_interval,
            **common,
        )

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def relative_error(self) -> float | None:
        """(ours - paper) / |paper| for a numeric claim with a non-zero paper value, else None."""
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (self.paper, self.ours))
        if not numbers or self.paper == 0 or not math.isfinite(self.ours):
            return None
        return (self.ours - self.paper) / abs(self.paper)

    @property
    def tau(self) -> float | None:
        """Kendall's tau between the paper's order and ours, for an :class:`Order` claim."""
        if not self.rule_spec or self.rule_spec.get("type") != "Order" or self.ours is None:
            return None
        from replicate.stats import kendall_tau

        return kendall_tau(list(self.paper), list(self.ours))


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


def regenerates(reference, ours, rel: float, abs_: float) -> bool:
    """Whether ``ours`` reproduces ``reference`` within ``abs_ + rel * |reference|`` (equality for non-numbers)."""
    if isinstance(reference, bool) or isinstance(ours, bool):
        return type(reference) is type(ours) and reference == ours
    if not isinstance(reference, (int, float)):
        return reference == ours
    if not isinstance(ours, (int, float)):
        return False
    if math.isnan(reference) or math.isnan(ours):
        return math.isnan(reference) and math.isnan(ours)
    return close(reference, ours, rel, abs_)


def save(claims: list[Claim], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([c.to_dict() for c in claims], indent=1, ensure_ascii=False) + "\n")
    tmp.replace(path)


def load(path: Path) -> list[Claim]:
    return [Claim(**row) for row in json.loads(Path(path).read_text())]


def to_frame(claims: list[Claim]):
    import pandas as pd

    return pd.DataFrame(
        {
            "kind": [c.kind for c in claims],
            "claim": [c.description for c in claims],
            "paper": [format_value(c.paper) for c in claims],
            "ours": [ours_label(c) for c in claims],
            "error": [accuracy_label(c) for c in claims],
            "null": [null_label(c) for c in claims],
            "rule": [c.rule for c in claims],
            "verdict": [verdict_label(c) for c in claims],
            "note": [c.note for c in claims],
        },
        index=pd.Index([c.id for c in claims], name="id"),
    )


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def combine(values: list, intervals: list) -> tuple[float, list | None, str]:
    """One estimate from several seeds' values and their own 95 % intervals: (estimate, interval, method).

    When every seed has a finite interval (over its users or sessions), a DerSimonian-Laird random-effects
    combination (:func:`replicate.stats.random_effects`): each seed's evidence is kept and the seeds' spread beyond
    it widens the interval. Otherwise (seed-level numbers without an interval) the Student-t interval over the seeds.
    """
    from replicate.stats import random_effects, t_interval

    bands = [b for b in intervals if b is not None and all(math.isfinite(v) for v in b)]
    if len(bands) == len(values):
        mean, low, high, _ = random_effects(values, bands)
        return mean, [low, high], "random effects"
    mean, low, high = t_interval(values)
    return mean, [low, high], "t over seeds"


def over_seeds(verdicts: list[str], combined: str | None) -> str:
    """The verdict of a claim over its seeds, from each seed's own verdict and, for numbers, the verdict of the
    combined estimate (:func:`combine`).

    Seeds that all agree keep their verdict (each is evidence on its own users). Seeds of which some replicate and
    others fail (or are uninformative) are ``unstable``. Otherwise (some seeds undecided, or some only direction)
    the combined estimate decides, and a combined ``replicated`` that some seed contradicts is ``unstable`` too.
    """
    if len(set(verdicts)) == 1:
        return verdicts[0]
    failing = {"not replicated", "uninformative"}
    if "replicated" in verdicts and failing & set(verdicts):
        return "unstable"
    if combined is None:
        return "unstable"
    if combined == "replicated" and failing & set(verdicts):
        return "unstable"
    if combined in failing and "replicated" in verdicts:
        return "unstable"
    return combined


def aggregate(runs: dict[int, list[Claim]]) -> list[Claim]:
    """One claim per id from the claims of several seeds (``{seed: claims of one chapter}``).

    Numbers: ``ours`` and its interval are the seeds' combination (:func:`combine`: random effects over the seeds'
    own intervals, else a t-interval over the seeds), and so are the null's; booleans hold only when they hold in
    every seed. The verdict is :func:`over_seeds`: seeds that agree keep their verdict, seeds that split between
    replicated and failing are ``unstable (k of N)``, and otherwise the combined estimate, decided by the claim's rule
    with its combined null, decides. ``seeds`` keeps every seed's value, null and verdict. A seed where the claim runs
    with the search on seed 0 only (cause ``seed``) does not count; a seed where this seed's model made the claim
    unmeasurable (cause ``model``) counts as a miss. A comparison of two methods is recorded per seed as their
    paired difference over the same users or sessions, with its paired interval.
    """
    order = sorted(runs)
    if not order:
        return []
    by_seed = {seed: {c.id: c for c in runs[seed]} for seed in order}
    ids = list(dict.fromkeys(c.id for seed in order for c in runs[seed]))
    out = []
    for claim_id in ids:
        present = [seed for seed in order if claim_id in by_seed[seed]]
        applies = [seed for seed in present if by_seed[seed][claim_id].verdict != "not applicable"]
        present = applies or present  # a seed where the check did not run (it runs with the search, on seed 0)
        per = [by_seed[seed][claim_id] for seed in present]
        first = per[0]
        measured = [c for c in per if c.cause != "model"]
        values = [c.ours for c in per]
        verdicts = [c.verdict for c in per]
        ours, interval, sd, method = values[0], first.interval, None, None
        null, null_interval = first.null, first.null_interval
        numbers = len(measured) > 1 and all(_is_number(c.ours) for c in measured)
        if numbers:
            ours, interval, method = combine([c.ours for c in measured], [c.interval for c in measured])
            sd = float(np.std([c.ours for c in measured], ddof=1))
            if all(_is_number(c.null) for c in measured):
                null, null_interval, _ = combine([c.null for c in measured], [c.null_interval for c in measured])
        elif len(measured) > 1 and all(isinstance(c.ours, bool) for c in measured):
            ours = all(c.ours for c in measured)
            if all(isinstance(c.null, bool) for c in measured):
                null = all(c.null for c in measured)
        rule = _rule_over_seeds(measured) if len(measured) > 1 and first.rule_spec else None
        if len(per) == 1 or first.verdict == "not applicable":
            verdict = first.verdict
        else:
            combined = None
            if numbers and rule is not None:
                has_null = first.null_verdict is not None
                combined = decide(
                    rule,
                    first.paper,
                    ours,
                    interval,
                    null if has_null else NO_NULL,
                    null_interval,
                    first.absence,
                )[0]
            verdict = over_seeds(verdicts, combined)
            if verdict == "replicated" and combined == "uninformative":
                verdict = "uninformative"  # every seed replicated, but their combined null passes the rule too
        null_verdicts = [c.null_verdict for c in per]
        seeds = {
            "of": len(order),  # the seeds that ran, the claim's own seeds among them
            "seeds": present,
            "values": values,
            "verdicts": verdicts,
            "nulls": [c.null for c in per],
            "null_verdicts": null_verdicts,
            "n": len(per),
            "k": verdicts.count("replicated"),
            "sd": sd,
            "method": method,
        }
        if rule is not None and first.null_verdict is not None and numbers and _is_number(null):
            judged = null_verdict(rule, first.paper, null, null_interval, first.absence)
        else:
            judged = null_verdicts[0] if len(set(null_verdicts)) == 1 else "unstable"
        moved = rule is not None and rule.spec() != first.rule_spec  # a per-run reference, now over the seeds
        described = {"rule": rule.describe(), "rule_spec": rule.spec()} if moved else {}
        merged = Claim(
            **{
                **first.to_dict(),
                **described,
                "ours": ours,
                "interval": interval,
                "verdict": verdict,
                "seeds": seeds,
                "null": null,
                "null_interval": null_interval,
                "null_verdict": judged,
            }
        )
        out.append(merged)
    return out


def _rule_over_seeds(per: list[Claim]) -> Rule:
    """The rule that decides a claim over its seeds: the first seed's, except that a reference measured in each run
    (``Within``'s ``baseline``: "ours beats our baseline") becomes the mean of the seeds' references, so that the
    direction is read mean against mean, not the mean against seed 0's baseline."""
    spec = dict(per[0].rule_spec)
    refs = [(c.rule_spec or {}).get("baseline") for c in per]
    if spec.get("baseline") is not None and all(r is not None and _is_number(r[1]) for r in refs):
        spec["baseline"] = [spec["baseline"][0], float(np.mean([r[1] for r in refs]))]
    return rule_from_spec(spec)


def uninformative_reason(claim: Claim) -> str:
    """Why an uninformative claim is: its null passes too (or was not measured), or (absence) its control was not
    detected."""
    if claim.absence:
        return "could not have seen a difference"
    return "the null was not measured" if claim.null_verdict == "not measured" else "the null passes too"


def verdict_label(claim: Claim) -> str:
    """The verdict as the scorecard prints it: ``uninformative (the null passes too)``; over several seeds with how
    many of them replicated alone: ``unstable (2 of 3 seeds replicated)``, ``replicated (3 of 3 seeds
    replicated)``; a claim that only one of several seeds could decide (a check that runs with the search, on seed
    0): ``replicated (seed 0 only, of 3)``; not measured because of this seed's model: ``not replicated (not
    measurable: ...)``."""
    verdict = claim.verdict
    if verdict == "uninformative":
        verdict = f"uninformative ({uninformative_reason(claim)})"
    seeds = claim.seeds or {}
    if seeds.get("n", 1) > 1 and claim.verdict != "not applicable":
        missing = seeds.get("of", seeds["n"]) - seeds["n"]  # seeds where it was not applicable
        rest = f"; {missing} more not applicable" if missing > 0 else ""
        return f"{verdict} ({seeds.get('k', 0)} of {seeds['n']} seeds replicated{rest})"
    if seeds.get("n") == 1 and seeds.get("of", 1) > 1 and claim.verdict != "not applicable":
        return f"{verdict} (seed {seeds['seeds'][0]} only, of {seeds['of']})"  # a check run with the search
    if claim.cause == "model":
        return f"{verdict} ({claim.rule})"
    return verdict


def null_label(claim: Claim) -> str:
    """What the null gave and what the rule said of it: ``null 0.98: passes``, ``control 0.031: detected``;
    empty when the claim has no null."""
    if claim.null_verdict is None:
        return ""
    value = format_value(claim.null)
    if claim.null_interval and all(math.isfinite(v) for v in claim.null_interval):
        value += f" [{format_value(claim.null_interval[0])}, {format_value(claim.null_interval[1])}]"
    if claim.absence:
        return f"control {value}: {'detected' if null_fails(claim.null_verdict, True) else 'not detected'}"
    if claim.null_verdict == "not measured":
        return "null: not measured"
    if claim.null_verdict == "unstable":
        return f"{'control' if claim.absence else 'null'} {value}: passes in some seeds, fails in others"
    return f"null {value}: {'fails' if null_fails(claim.null_verdict) else 'passes'}"


def ours_label(claim: Claim) -> str:
    """Ours as the scorecard prints it: the value (over seeds, their mean), its 95 % interval when it has one and,
    over seeds, their standard deviation."""
    text = format_value(claim.ours)
    values = (claim.seeds or {}).get("values") or []
    if len(values) > 1 and all(v == values[0] for v in values):
        return text  # the same in every seed (a count): once, as it is
    if claim.interval and all(math.isfinite(v) for v in claim.interval):
        text += f" [{format_value(claim.interval[0])}, {format_value(claim.interval[1])}]"
    sd = (claim.seeds or {}).get("sd")
    if sd is not None and math.isfinite(sd):
        text += f", sd {format_value(sd)}"
    return text


def flip_label(claim: Claim) -> str:
    """Where the claim's verdict would flip (:meth:`Rule.flips_at`): the tolerance or bound at which ours would just
    meet its rule. Empty for a claim without a threshold or not measured."""
    if not claim.rule_spec or claim.verdict == "not applicable" or claim.cause:
        return ""
    try:
        return rule_from_spec(claim.rule_spec).flips_at(claim.paper, claim.ours, claim.interval)
    except (TypeError, ValueError, KeyError):
        return ""


def miss_cause(claim: Claim) -> str:
    """The cause tag of a miss (``not replicated`` or ``unstable``, :data:`MISS_CAUSES`): the one the chapter's
    tested check found; for an unstable claim without one, seed noise; else unknown. Empty for other verdicts."""
    if claim.verdict not in ("not replicated", "unstable"):
        return ""
    return claim.miss_cause or ("seed noise" if claim.verdict == "unstable" else "unknown")


def miss_summary(claims: list[Claim]) -> str:
    """``2 data substitute, 1 unknown``: the misses among ``claims`` by cause (none: empty)."""
    counts = {c: 0 for c in MISS_CAUSES}
    for claim in claims:
        if miss_cause(claim):
            counts[miss_cause(claim)] += 1
    return ", ".join(f"{n} {c}" for c, n in counts.items() if n)


def accuracy_label(claim: Claim) -> str:
    """How well the claim reproduces: relative error for a number, Kendall's tau for an order."""
    if claim.tau is not None:
        return f"τ = {claim.tau:.2f}" if math.isfinite(claim.tau) else "τ undefined"
    error = claim.relative_error
    return "" if error is None or claim.verdict == "not applicable" else f"{error:+.0%}"


def summary(claims: list[Claim]) -> str:
    """``3 replicated, 1 not replicated, 2 not applicable`` (verdicts in a fixed order; none: ``none``)."""
    counts = {v: 0 for v in VERDICTS}
    for c in claims:
        counts[c.verdict] += 1
    return ", ".join(f"{n} {v}" for v, n in counts.items() if n) or "none"


def _why_link(name: str, claim: Claim) -> str:
    """For a verdict other than replicated: a link to the section that tests its causes, or a plain note when the
    chapter has none yet (a paper claim only; the book's checks are themselves the tests)."""
    if claim.verdict in ("replicated", "not applicable"):
        return ""
    if claim.why_anchor:
        return f'<br><a href="chapters/{name}.html#{claim.why_anchor}">why?</a>'
    return "<br><small>no tested cause yet</small>" if claim.kind == "paper" else ""


def _cause_tag(claim: Claim) -> str:
    cause = miss_cause(claim)
    return f'<br><span class="cause-tag">cause: {html.escape(cause)}</span>' if cause else ""


def seeds_label(claim: Claim) -> str:
    """Each seed's value and verdict, ``seed 0: 0.3711, replicated; seed 1: 0.3802, not replicated`` (empty for one
    seed)."""
    seeds = claim.seeds or {}
    if len(seeds.get("seeds", [])) < 2:
        return ""
    return "; ".join(
        f"seed {s}: {format_value(v)}, {verdict}"
        for s, v, verdict in zip(seeds["seeds"], seeds["values"], seeds["verdicts"])
    )


def _per_seed(claim: Claim) -> str:
    text = seeds_label(claim)
    return f"<details><summary>per seed</summary><small>{html.escape(text)}</small></details>" if text else ""


def _null_desc(claim: Claim) -> str:
    return f"<br><small>{html.escape(claim.null_model)}</small>" if claim.null_model and claim.null_verdict else ""


def counted(claim: Claim) -> bool:
    """Whether a claim counts in the headline "k of m paper claims": a paper claim, each statement once across
    chapters (``same_as`` marks the repeat)."""
    return claim.kind == "paper" and not claim.same_as


def verdict_box(claims: list[Claim], seeds: list[int] | None = None) -> str:
    """MyST markdown of a chapter's verdict box: its paper claims counted by verdict and, under each verdict, each
    claim linked to the section that measures it (a ReScience [Re]/[¬Re] title, before the detail)."""
    mine = [c for c in claims if c.kind == "paper"]
    over = f"over seeds {', '.join(map(str, seeds))}" if seeds and len(seeds) > 1 else "one seed"
    lines = ["````{admonition} Verdict", ":class: important verdict-box", ""]
    if not mine:
        lines += ["This chapter has no paper of its own: its rows are facts of the data and the book's checks.", ""]
    else:
        lines += [f"The paper's claims, {over}: **{summary(mine)}**.", ""]
        for verdict in VERDICTS:
            these = [c for c in mine if c.verdict == verdict]
            if not these:
                continue
            links = []
            for c in these:
                text = html.escape(c.description)
                link = f'<a href="#{c.anchor}">{text}</a>' if c.anchor else text
                cause = miss_cause(c)
                links.append(link + (f" <small>({html.escape(cause)})</small>" if cause else ""))
            lines += [f"- *{verdict}* ({len(these)}): " + "; ".join(links)]
        lines += [""]
    checks = [c for c in claims if c.kind == "book"]
    if checks:
        lines += [f"The book's own checks: {summary(checks)}. Every row, with its null, is on the scorecard.", ""]
    lines += ["````"]
    return "\n".join(lines)


def _table(name: str, title: str, claims: list[Claim]) -> list[str]:
    rows = []
    for c in claims:
        href = f"chapters/{name}.html" + (f"#{c.anchor}" if c.anchor else "")
        what = f'<a href="{href}">{html.escape(c.description)}</a>'
        if c.note:
            what += f"<br><small>{html.escape(c.note)}</small>"
        rows.append(
            "<tr>"
            f"<td>{what}</td>"
            f"<td>{html.escape(c.source)}</td>"
            f"<td>{html.escape(format_value(c.paper))}</td>"
            f"<td>{html.escape(ours_label(c))}{_per_seed(c)}</td>"
            f"<td>{html.escape(accuracy_label(c))}</td>"
            f"<td>{html.escape(null_label(c))}{_null_desc(c)}</td>"
            f"<td>{html.escape(c.rule)}<br><small>{html.escape(flip_label(c))}</small></td>"
            f'<td class="verdict-{c.verdict.replace(" ", "-")}">{html.escape(verdict_label(c))}'
            f"{_cause_tag(c)}{_why_link(name, c)}</td>"
            "</tr>"
        )
    head = (
        "<th>Claim</th><th>Source</th><th>Paper</th><th>Ours</th><th>Error</th><th>Null or control</th>"
        "<th>Rule (flips at)</th><th>Verdict</th>"
    )
    return ['<table class="scorecard">', f"<thead><tr>{head}</tr></thead>", "<tbody>", *rows, "</tbody>", "</table>"]


def scorecard_markdown(
    chapters: list[tuple[str, str, list[Claim]]], profile: str, seeds: list[int] | None = None
) -> str:
    """The scorecard page: per chapter, a summary line, the table of the paper's claims and the table of the book's
    own checks; each row links to the section of the chapter it was recorded in.

    ``chapters``: (chapter name, chapter title, claims) in book order. Links point at ``chapters/<name>.html#anchor``.
    """
    every = [c for _, _, claims in chapters for c in claims]
    paper_claims = [c for c in every if counted(c)]
    tested_all = [c for c in paper_claims if c.verdict != "not applicable"]
    over = f"{len(seeds)} seeds ({', '.join(map(str, seeds))})" if seeds and len(seeds) > 1 else "one seed"
    lines = [
        "# Scorecard",
        "",
        f"**{sum(c.verdict == 'replicated' for c in tested_all)} of {len(tested_all)} testable paper claims "
        f"replicated** over the book (each statement counted once; profile `{profile}`, {over}). Paper claims: "
        f"{summary(paper_claims)}. Facts of the data and the code: {summary([c for c in every if c.kind == 'fact'])}. "
        f"Book checks: {summary([c for c in every if c.kind == 'book'])}.",
        "",
        "Every claim was declared before the run with the paper's words, its rule and its **null**: what a skeptic "
        "puts in the model's place so that the property is absent (random attributions, an untrained network, "
        "shuffled labels). The run measures the null with the same function and the same rule, and the *Null or "
        "control* column shows what it gave. *Replicated* means ours meets the rule (with an interval, all of the "
        "interval does) and the null fails it; *uninformative* that the null passes too (or, for a claim of absence "
        "or equivalence, that its positive control, a planted effect of the size the claim rules out, went "
        "undetected): such a row is not evidence either way. *Direction holds* means the magnitude misses but the "
        "paper's comparison goes the same way; *inconclusive* that the interval is too wide to decide; *unstable* "
        "that some seeds replicate and others fail; *not replicated* includes a claim this seed's model made "
        "unmeasurable; *not applicable* that the paper's number is about data this book cannot use. Over seeds, "
        "seeds that agree keep their verdict; otherwise a random-effects combination of the seeds' own intervals "
        "decides (each row's *per seed* lists the seeds' values and verdicts). *Paper claims* are statements of "
        "the paper; *facts* are data counts and identities of our code (not results); *book checks* are this book's "
        "own checks. Error is ours relative to the paper's value, or Kendall's τ for an order. Under each rule, *flips "
        "at* says where its verdict would flip: the tolerance or bound at which ours (all of its interval) would just "
        "meet it. A miss carries its cause, from one vocabulary (data substitute, budget, metric definition, "
        "implementation choice, seed noise, unknown), set from the chapter's tested check where one exists.",
        "",
    ]
    for name, title, claims in chapters:
        mine = [c for c in claims if c.kind == "paper"]
        facts = [c for c in claims if c.kind == "fact"]
        checks = [c for c in claims if c.kind == "book"]
        tested = [c for c in mine if c.verdict != "not applicable" and counted(c)]
        share = sum(c.verdict == "replicated" for c in tested)
        uninformative = sum(c.verdict == "uninformative" for c in tested)
        repeats = sum(not counted(c) for c in mine)
        lines += [
            f"## {title}",
            "",
            f"**{share} of {len(tested)} testable paper claims replicated** ({uninformative} uninformative, "
            f"{sum(c.verdict == 'not applicable' for c in mine)} not applicable here"
            + (f", {repeats} counted in another chapter" if repeats else "")
            + f"). Paper claims: {summary(mine)}."
            + (f" Their misses by cause: {miss_summary(mine)}." if miss_summary(mine) else "")
            + f" Facts: {summary(facts)}. Book checks: {summary(checks)}.",
            "",
        ]
        if mine:
            lines += ["### Paper claims", "", *_table(name, title, mine), ""]
        if facts:
            lines += ["### Facts of the data and the code", "", *_table(name, title, facts), ""]
        if checks:
            lines += ["### Book checks", "", *_table(name, title, checks), ""]
    return "\n".join(lines)
