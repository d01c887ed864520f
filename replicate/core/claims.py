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

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np

from replicate import paths

# the rules and verdicts, imported from here by the chapters' claims modules and notebooks
from replicate.core.rules import (  # noqa: F401
    NO_NULL,
    RULES,
    VERDICTS,
    AtLeast,
    AtMost,
    Exact,
    Exceeds,
    Holds,
    NotApplicable,
    Order,
    Rule,
    Within,
    _is_number,
    close,
    completed_order,
    decide,
    format_value,
    null_fails,
    null_verdict,
    plain,
    rule_from_spec,
)

KINDS = ("paper", "fact", "book")


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
    paths.write_whole(path, json.dumps([c.to_dict() for c in claims], indent=1, ensure_ascii=False) + "\n")


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


def accuracy_label(claim: Claim) -> str:
    """How well the claim reproduces: relative error for a number, Kendall's tau for an order."""
    if claim.tau is not None:
        return f"τ = {claim.tau:.2f}" if math.isfinite(claim.tau) else "τ undefined"
    error = claim.relative_error
    return "" if error is None or claim.verdict == "not applicable" else f"{error:+.0%}"


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


# the scorecard's names (replicate.core.scorecard), still importable from here without importing it at load time
_SCORECARD = ("miss_summary", "summary", "counted", "verdict_box", "scorecard_markdown")


def __getattr__(name: str):
    if name in _SCORECARD:
        from replicate.core import scorecard

        return getattr(scorecard, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
