"""The scorecard page and each chapter's verdict box, made from the recorded claims (:mod:`replicate.core.claims`)."""

from __future__ import annotations

import html

from replicate.core.claims import (
    MISS_CAUSES,
    Claim,
    accuracy_label,
    flip_label,
    miss_cause,
    null_label,
    ours_label,
    seeds_label,
    verdict_label,
)
from replicate.core.rules import VERDICTS, format_value


def miss_summary(claims: list[Claim]) -> str:
    """``2 data substitute, 1 unknown``: the misses among ``claims`` by cause (none: empty)."""
    counts = {c: 0 for c in MISS_CAUSES}
    for claim in claims:
        if miss_cause(claim):
            counts[miss_cause(claim)] += 1
    return ", ".join(f"{n} {c}" for c, n in counts.items() if n)


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


def _per_seed(claim: Claim) -> str:
    text = seeds_label(claim)
    return f"<details><summary>per seed</summary><small>{html.escape(text)}</small></details>" if text else ""


def _null_desc(claim: Claim) -> str:
    return f"<br><small>{html.escape(claim.null_model)}</small>" if claim.null_model and claim.null_verdict else ""


def counted(claim: Claim) -> bool:
    """Whether a claim counts in the headline "k of m paper claims": a paper claim, each statement once across
    chapters (``same_as`` marks the repeat)."""
    return claim.kind == "paper" and not claim.same_as


FOLDED_ABOVE = 4  # a verdict's list of more claims than this is folded (replicated ones are always shown)


def verdict_box(claims: list[Claim], seeds: list[int] | None = None) -> str:
    """MyST markdown of a chapter's verdict box: its paper claims counted by verdict and, under each verdict, each
    claim linked to the section that measures it (a ReScience [Re]/[¬Re] title, before the detail); a long list is
    folded, so the counts come first."""
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
            is_open = " open" if verdict == "replicated" or len(these) <= FOLDED_ABOVE else ""
            lines += [
                f"<details{is_open}><summary><em>{verdict}</em> ({len(these)})</summary>",
                "; ".join(links),
                "</details>",
            ]
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
