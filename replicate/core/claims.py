"""Claims: every reproduced number, the paper's value beside ours, and the rule that decides the verdict.

A rule is stated before the number is known and is never widened to turn a verdict green. Each claim has a *kind*:
``paper`` (a statement the paper makes) or ``book`` (one of this book's own sanity checks, shown apart). Verdicts:

- ``replicated``: ours meets the rule (within the stated tolerance, meets the paper's bound, or the stated property
  holds); when ours comes with an interval, the whole interval must meet it;
- ``direction holds``: the magnitude misses (or the interval does not exclude zero), but the comparison the paper
  draws goes the same way;
- ``inconclusive``: the interval of ours is too wide for the rule to decide (it straddles the rule's boundary);
- ``unstable (k of N)``: over N seeds the verdict changes; k seeds gave ``replicated`` (never shown as replicated);
- ``not replicated``: ours fails the rule;
- ``not applicable``: the paper's number is about data or a setting this book cannot reproduce (the reason is given).
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

KINDS = ("paper", "book")
VERDICTS = ("replicated", "direction holds", "inconclusive", "unstable", "not replicated", "not applicable")
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


def _interval(interval) -> tuple[float, float] | None:
    """A usable (low, high) pair, or None (no interval, or one with a non-finite end: a single value)."""
    if interval is None:
        return None
    low, high = (_number(v) for v in interval)
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    if low > high:
        raise ValueError(f"interval ({low}, {high}) has its low end above its high end")
    return low, high


@dataclass(frozen=True)
class Rule:
    """Decides the verdict of a claim from the paper's value, ours, and optionally an interval around ours."""

    def verdict(self, paper, ours, interval=None) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

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

    def verdict(self, paper, ours, interval=None) -> str:
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

    def verdict(self, paper, ours, interval=None) -> str:
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

    def verdict(self, paper, ours, interval=None) -> str:
        bound = _number(paper if self.bound is None else self.bound)
        return _bound_verdict(_number(ours), bound, interval, above=True)

    def describe(self) -> str:
        return "ours >= paper" if self.bound is None else f"ours >= {self.bound:g}"


@dataclass(frozen=True)
class AtMost(Rule):
    """Replicated when ours <= ``bound`` (the paper's value when no bound is given), e.g. a p-value "< 1e-4"; with an
    interval, when its high end is; inconclusive when only its low end is."""

    bound: float | None = None

    def verdict(self, paper, ours, interval=None) -> str:
        bound = _number(paper if self.bound is None else self.bound)
        return _bound_verdict(_number(ours), bound, interval, above=False)

    def describe(self) -> str:
        return "ours <= paper" if self.bound is None else f"ours <= {self.bound:g}"


@dataclass(frozen=True)
class Exceeds(Rule):
    """For "significantly larger" (or, with ``below=True``, smaller): ours is an effect (a difference, paired over
    users or seeds) with its 95 % interval. Replicated when the whole interval lies beyond ``bound``; a sign alone (the
    estimate beyond ``bound``, the interval not) is ``direction holds``; otherwise not replicated."""

    bound: float = 0.0
    below: bool = False

    def verdict(self, paper, ours, interval=None) -> str:
        ours = _number(ours)
        band = _interval(interval)
        beyond = (lambda v: v < self.bound) if self.below else (lambda v: v > self.bound)
        if band is not None and beyond(band[0]) and beyond(band[1]):
            return "replicated"
        return "direction holds" if beyond(ours) else "not replicated"

    def describe(self) -> str:
        side = "below" if self.below else "above"
        return f"95 % interval {side} {self.bound:g} (a sign alone: direction holds)"


@dataclass(frozen=True)
class Holds(Rule):
    """For a qualitative statement measured as a yes/no: replicated when ours is true."""

    def verdict(self, paper, ours, interval=None) -> str:
        if not isinstance(plain(ours), bool):
            raise TypeError(f"Holds needs a bool for ours, got {ours!r}")
        return "replicated" if ours else "not replicated"

    def describe(self) -> str:
        return "the statement holds on our data"


@dataclass(frozen=True)
class Order(Rule):
    """For a ranking (methods, modalities): paper and ours are lists of labels, best first. Replicated when Kendall's
    tau between the two orders is at least ``min_tau``; the scorecard shows tau beside the verdict."""

    min_tau: float = 0.5

    def verdict(self, paper, ours, interval=None) -> str:
        from replicate.stats import kendall_tau

        tau = kendall_tau(list(paper), list(ours))
        return "replicated" if math.isfinite(tau) and tau >= self.min_tau else "not replicated"

    def describe(self) -> str:
        return f"Kendall's tau with the paper's order >= {self.min_tau:g}"


@dataclass(frozen=True)
class NotApplicable(Rule):
    """The paper's number cannot be compared here; ``reason`` says why (and what data it needs)."""

    reason: str = ""

    def verdict(self, paper, ours, interval=None) -> str:
        return "not applicable"

    def describe(self) -> str:
        return f"not comparable: {self.reason}"


RULES = {r.__name__: r for r in (Exact, Within, AtLeast, AtMost, Exceeds, Holds, Order, NotApplicable)}


@dataclass
class Claim:
    """One recorded number. ``regen`` is the tolerance within which a re-run must reproduce ``ours``; ``interval`` an
    optional 95 % interval around ours that the rule reads; ``seeds`` the per-seed values and verdicts of a claim
    aggregated over seeds (:func:`aggregate`)."""

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

    @classmethod
    def make(cls, chapter, id, description, paper, ours, rule: Rule, interval=None, **kwargs) -> "Claim":
        paper, ours = plain(paper), plain(ours)
        interval = None if interval is None else [float(v) for v in plain(interval)]
        kind = kwargs.get("kind", "paper")
        if kind not in KINDS:
            raise ValueError(f"claim {id!r}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        verdict = rule.verdict(paper, ours, interval)
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
            **kwargs,
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
            "rule": [c.rule for c in claims],
            "verdict": [verdict_label(c) for c in claims],
            "note": [c.note for c in claims],
        },
        index=pd.Index([c.id for c in claims], name="id"),
    )


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def aggregate(runs: dict[int, list[Claim]]) -> list[Claim]:
    """One claim per id from the claims of several seeds (``{seed: claims of one chapter}``).

    Numbers: ``ours`` is the mean over seeds and ``interval`` its 95 % Student-t interval, decided again by the
    claim's rule (so a "within" claim is replicated only when the interval lies inside the band, and inconclusive
    when it straddles an edge). Booleans: ``ours`` is true only when it holds in every seed. Whatever the type, a
    verdict that differs between seeds is ``unstable`` (``seeds["k"]`` of ``seeds["n"]`` replicated), never
    replicated; and a claim is replicated over the seeds only when every seed replicated it alone: when the seeds
    agree on a weaker verdict (each inconclusive on its own interval over users, or each outside the band on
    alternate sides), that verdict stands, however narrow the t-interval of their mean. ``seeds`` keeps every seed's
    value and verdict. A seed where the claim is *not applicable* while it applies in others (a check that runs with
    the search, on seed 0 only) does not count: ``seeds`` lists the seeds that do. A comparison of two methods is
    recorded per seed as their paired difference (over the same users or sessions), so its t-interval here is a
    paired t-test over seeds.
    """
    from replicate.stats import t_interval

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
        values = [c.ours for c in per]
        verdicts = [c.verdict for c in per]
        ours, interval, sd = values[0], first.interval, None
        if len(per) > 1 and all(_is_number(v) for v in values):
            ours, low, high = t_interval(values)
            interval, sd = [low, high], float(np.std(values, ddof=1))
        elif len(per) > 1 and all(isinstance(v, bool) for v in values):
            ours = all(values)
        rule = _rule_over_seeds(per) if len(per) > 1 and first.rule_spec else None
        if len(per) == 1 or first.verdict == "not applicable":
            verdict = first.verdict
        elif len(set(verdicts)) > 1:
            verdict = "unstable"
        elif all(_is_number(v) for v in values) and rule is not None:
            verdict = rule.verdict(first.paper, ours, interval)
            if verdict == "replicated" and verdicts[0] != "replicated":
                verdict = verdicts[0]  # the seeds agree on less: their mean may not replicate what no seed did
        else:
            verdict = verdicts[0]
        seeds = {
            "of": len(order),  # the seeds that ran, the claim's own seeds among them
            "seeds": present,
            "values": values,
            "verdicts": verdicts,
            "n": len(per),
            "k": verdicts.count("replicated"),
            "sd": sd,
        }
        moved = rule is not None and rule.spec() != first.rule_spec  # a per-run reference, now over the seeds
        described = {"rule": rule.describe(), "rule_spec": rule.spec()} if moved else {}
        merged = Claim(
            **{**first.to_dict(), **described, "ours": ours, "interval": interval, "verdict": verdict, "seeds": seeds}
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


def verdict_label(claim: Claim) -> str:
    """The verdict as the scorecard prints it, over several seeds with how many of them replicated alone:
    ``unstable (2 of 3 seeds replicated)``, ``replicated (3 of 3 seeds replicated)``, ``inconclusive (3 of 3 seeds
    replicated)`` (every seed alone inside the band, the interval over them not); a claim that only one of several
    seeds could decide (a check that runs with the search, on seed 0): ``replicated (seed 0 only, of 3)``."""
    seeds = claim.seeds or {}
    if seeds.get("n", 1) > 1 and claim.verdict != "not applicable":
        missing = seeds.get("of", seeds["n"]) - seeds["n"]  # seeds where it was not applicable
        rest = f"; {missing} more not applicable" if missing > 0 else ""
        return f"{claim.verdict} ({seeds.get('k', 0)} of {seeds['n']} seeds replicated{rest})"
    if seeds.get("n") == 1 and seeds.get("of", 1) > 1 and claim.verdict != "not applicable":
        return f"{claim.verdict} (seed {seeds['seeds'][0]} only, of {seeds['of']})"  # a check run with the search
    return claim.verdict


def ours_label(claim: Claim) -> str:
    """Ours as the scorecard prints it: the value (over seeds, their mean), its 95 % interval when it has one and,
    over seeds, their standard deviation."""
    text = format_value(claim.ours)
    if claim.interval and all(math.isfinite(v) for v in claim.interval):
        text += f" [{format_value(claim.interval[0])}, {format_value(claim.interval[1])}]"
    sd = (claim.seeds or {}).get("sd")
    if sd is not None and math.isfinite(sd):
        text += f", sd {format_value(sd)}"
    return text


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
            f"<td>{html.escape(c.rule)}</td>"
            f'<td class="verdict-{c.verdict.replace(" ", "-")}">{html.escape(verdict_label(c))}'
            f"{_why_link(name, c)}</td>"
            "</tr>"
        )
    head = "<th>Claim</th><th>Source</th><th>Paper</th><th>Ours</th><th>Error</th><th>Rule</th><th>Verdict</th>"
    return ['<table class="scorecard">', f"<thead><tr>{head}</tr></thead>", "<tbody>", *rows, "</tbody>", "</table>"]


def scorecard_markdown(
    chapters: list[tuple[str, str, list[Claim]]], profile: str, seeds: list[int] | None = None
) -> str:
    """The scorecard page: per chapter, a summary line, the table of the paper's claims and the table of the book's
    own checks; each row links to the section of the chapter it was recorded in.

    ``chapters``: (chapter name, chapter title, claims) in book order. Links point at ``chapters/<name>.html#anchor``.
    """
    every = [c for _, _, claims in chapters for c in claims]
    paper_claims = [c for c in every if c.kind == "paper"]
    over = f"{len(seeds)} seeds ({', '.join(map(str, seeds))})" if seeds and len(seeds) > 1 else "one seed"
    lines = [
        "# Scorecard",
        "",
        f"Every number the chapters reproduce, generated from the claims recorded when the notebooks ran (profile "
        f"`{profile}`, {over}). Paper claims: {summary(paper_claims)}. Book checks: "
        f"{summary([c for c in every if c.kind == 'book'])}.",
        "",
        "The rule of each claim was fixed before its number was known. *Replicated* means ours meets it (with an "
        "interval, all of the interval does); *direction holds* that the magnitude misses but the paper's comparison "
        "goes the same way; *inconclusive* that the interval is too wide to decide; *unstable* that the verdict "
        "changes between seeds; *not applicable* that the paper's number is about data this book cannot use. Over "
        "several seeds a claim is replicated only when every seed replicated it alone and their mean, with its "
        "t-interval, meets the rule too; each row's *per seed* lists the seeds' values and verdicts. "
        "*Paper claims* are statements of the paper; *book checks* are this book's own sanity checks, shown apart. "
        "Error is ours relative to the paper's value, or Kendall's τ for an order.",
        "",
    ]
    for name, title, claims in chapters:
        mine = [c for c in claims if c.kind == "paper"]
        checks = [c for c in claims if c.kind == "book"]
        tested = [c for c in mine if c.verdict != "not applicable"]
        share = sum(c.verdict == "replicated" for c in tested)
        lines += [
            f"## {title}",
            "",
            f"**{share} of {len(tested)} testable paper claims replicated** ({len(mine) - len(tested)} not applicable "
            f"here). Paper claims: {summary(mine)}. Book checks: {summary(checks)}.",
            "",
        ]
        if mine:
            lines += ["### Paper claims", "", *_table(name, title, mine), ""]
        if checks:
            lines += ["### Book checks", "", *_table(name, title, checks), ""]
    return "\n".join(lines)
