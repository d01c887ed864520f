"""Claims: every reproduced number, the paper's value beside ours, and the rule that decides the verdict.

A rule is stated before the number is known and is never widened to turn a verdict green. Verdicts:

- ``replicated``: ours meets the rule (within the stated tolerance, meets the paper's bound, or the stated property
  holds);
- ``direction holds``: the magnitude misses, but the comparison the paper draws (ours against a baseline) goes the
  same way;
- ``not replicated``: neither;
- ``not applicable``: the paper's number is about data or a setting this book cannot reproduce (the reason is given).
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

VERDICTS = ("replicated", "direction holds", "not replicated", "not applicable")
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


@dataclass(frozen=True)
class Rule:
    """Decides the verdict of a claim from the paper's value and ours."""

    def verdict(self, paper, ours) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class Exact(Rule):
    """Replicated when ours equals the paper's value (counts, categorical facts)."""

    def verdict(self, paper, ours) -> str:
        return "replicated" if plain(ours) == plain(paper) else "not replicated"

    def describe(self) -> str:
        return "equal"


@dataclass(frozen=True)
class Within(Rule):
    """Replicated when ``|ours - paper| <= abs + rel * |paper|``.

    With ``baseline=(paper_ref, ours_ref)``, a miss still counts as ``direction holds`` when ours lies on the same side
    of our reference as the paper's value lies of the paper's reference (e.g. "RecoNet beats FM").
    """

    rel: float = 0.0
    abs: float = 0.0
    baseline: tuple | None = None

    def verdict(self, paper, ours) -> str:
        paper, ours = _number(paper), _number(ours)
        if close(paper, ours, self.rel, self.abs):
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
            text += f"; direction vs reference (paper {plain(self.baseline[0])}, ours {plain(self.baseline[1])})"
        return text


@dataclass(frozen=True)
class AtLeast(Rule):
    """Replicated when ours >= ``bound`` (the paper's value when no bound is given), e.g. a speed-up "> 1000x"."""

    bound: float | None = None

    def verdict(self, paper, ours) -> str:
        bound = _number(paper if self.bound is None else self.bound)
        return "replicated" if _number(ours) >= bound else "not replicated"

    def describe(self) -> str:
        return "ours >= paper" if self.bound is None else f"ours >= {self.bound:g}"


@dataclass(frozen=True)
class AtMost(Rule):
    """Replicated when ours <= ``bound`` (the paper's value when no bound is given), e.g. a p-value "< 1e-4"."""

    bound: float | None = None

    def verdict(self, paper, ours) -> str:
        bound = _number(paper if self.bound is None else self.bound)
        return "replicated" if _number(ours) <= bound else "not replicated"

    def describe(self) -> str:
        return "ours <= paper" if self.bound is None else f"ours <= {self.bound:g}"


@dataclass(frozen=True)
class Holds(Rule):
    """For a qualitative statement measured as a yes/no: replicated when ours is true."""

    def verdict(self, paper, ours) -> str:
        if not isinstance(plain(ours), bool):
            raise TypeError(f"Holds needs a bool for ours, got {ours!r}")
        return "replicated" if ours else "not replicated"

    def describe(self) -> str:
        return "the statement holds on our data"


@dataclass(frozen=True)
class NotApplicable(Rule):
    """The paper's number cannot be compared here; ``reason`` says why."""

    reason: str = ""

    def verdict(self, paper, ours) -> str:
        return "not applicable"

    def describe(self) -> str:
        return f"not comparable: {self.reason}"


@dataclass
class Claim:
    """One recorded number. ``regen`` is the tolerance within which a re-run must reproduce ``ours``."""

    chapter: str
    id: str
    description: str
    paper: object
    ours: object
    rule: str
    verdict: str
    source: str = ""
    note: str = ""
    regen: dict = field(default_factory=lambda: dict(DEFAULT_REGEN))
    section: str = ""
    anchor: str = ""
    cell: str | None = None

    @classmethod
    def make(cls, chapter, id, description, paper, ours, rule: Rule, **kwargs) -> "Claim":
        paper, ours = plain(paper), plain(ours)
        return cls(chapter, id, description, paper, ours, rule.describe(), rule.verdict(paper, ours), **kwargs)

    def to_dict(self) -> dict:
        return asdict(self)


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
            "claim": [c.description for c in claims],
            "paper": [format_value(c.paper) for c in claims],
            "ours": [format_value(c.ours) for c in claims],
            "rule": [c.rule for c in claims],
            "verdict": [c.verdict for c in claims],
            "note": [c.note for c in claims],
        },
        index=pd.Index([c.id for c in claims], name="id"),
    )


def scorecard_markdown(chapters: list[tuple[str, str, list[Claim]]], profile: str) -> str:
    """The scorecard page: one table of every claim, each row linking to the section of the chapter it comes from.

    ``chapters``: (chapter name, chapter title, claims) in book order. Links point at ``chapters/<name>.html#anchor``.
    """
    counts = {v: 0 for v in VERDICTS}
    rows = []
    for name, title, claims in chapters:
        for c in claims:
            counts[c.verdict] += 1
            href = f"chapters/{name}.html" + (f"#{c.anchor}" if c.anchor else "")
            what = html.escape(c.description)
            if c.note:
                what += f"<br><small>{html.escape(c.note)}</small>"
            rows.append(
                "<tr>"
                f'<td><a href="{href}">{html.escape(title)}</a></td>'
                f"<td>{html.escape(c.source)}</td>"
                f"<td>{what}</td>"
                f"<td>{html.escape(format_value(c.paper))}</td>"
                f"<td>{html.escape(format_value(c.ours))}</td>"
                f"<td>{html.escape(c.rule)}</td>"
                f'<td class="verdict-{c.verdict.replace(" ", "-")}">{c.verdict}</td>'
                "</tr>"
            )
    total = sum(counts.values())
    summary = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    lines = [
        "# Scorecard",
        "",
        f"Every number the chapters reproduce, generated from the claims recorded when the notebooks ran "
        f"(profile `{profile}`). {total} claims: {summary or 'none yet'}.",
        "",
        "The rule of each claim was fixed before its number was known; *replicated* means ours meets it, "
        "*direction holds* that the magnitude misses but the paper's comparison goes the same way, *not applicable* "
        "that the paper's number is about data this book cannot use. Each chapter names its rows and explains the "
        "differences.",
        "",
        '<table class="scorecard">',
        "<thead><tr><th>Chapter</th><th>Source</th><th>Claim</th><th>Paper</th><th>Ours</th><th>Rule</th><th>Verdict</th></tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        "",
    ]
    return "\n".join(lines)
