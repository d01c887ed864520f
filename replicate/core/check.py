"""``python -m replicate check``: the regeneration check.

For every notebook (smoke profile): run it if its outputs are stale, then confirm that each declared figure exists
and is a real, non-blank image, and that each declared claim was recorded and matches the committed reference value
(``notebooks/reference/<chapter>.json``) within the tolerance stored there. Every problem is named; none is fatal to
the rest of the check.

The smoke runs use the AVX2 kernels of every numerical library on any x86-64 machine
(:data:`replicate.repro.PORTABLE_KERNELS`), with which the references were made: the last bits of a product differ
between a machine's AVX2 and AVX-512 kernels, and a barely trained model amplifies them. A run made with other
kernels (another processor) says so beside each drifted value. One library cannot be pinned everywhere: MKL keeps
its AVX2 branch for Intel processors (:data:`replicate.repro.MKL_BRANCH_VENDORS`), so on an AMD processor PyTorch's
matrix products use MKL's own kernels and the most sensitive smoke claims (EMDE's ranks of named people) drift; each
such drift says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from replicate import paths
from replicate.core import claims as claims_mod
from replicate.core import rules, runner
from replicate.core.chapter import declaration
from replicate.errors import ReplicateError
from replicate.repro import NATIVE_KERNELS, PORTABLE_KERNELS, cpu_vendor, mkl_branch_note

PROFILE = "smoke"
MIN_PIXELS = 64


def reference_path(name: str) -> Path:
    return paths.REFERENCES / f"{name}.json"


def image_problem(path: Path) -> str | None:
    """Why ``path`` is not a real, non-blank image, or ``None`` when it is one."""
    import matplotlib.image as mpimg

    if not path.is_file():
        return "missing"
    try:
        pixels = np.asarray(mpimg.imread(path), dtype=float)
    except Exception as error:  # any decoding failure means the file is not an image
        return f"not a readable PNG ({error})"
    if pixels.ndim < 2 or min(pixels.shape[:2]) < MIN_PIXELS:
        return f"too small ({'x'.join(map(str, pixels.shape[:2]))} pixels)"
    colour = pixels[..., :3] if pixels.ndim == 3 else pixels
    if float(colour.std()) < 1e-3:
        return "blank (a single colour)"
    return None


def _smoke_outputs_problem(name: str, directory: Path) -> str | None:
    """Why the outputs in ``directory`` are not a default smoke run of ``name`` (or ``None`` when they are)."""
    stamp = runner.read_json(paths.Run(PROFILE, name, folder=directory).stamp)
    if not isinstance(stamp, dict):
        return f"{name}: no finished smoke run in {directory}: run `python -m replicate run {name}`"
    defaults = runner.resolve_parameters(runner.notebook_path(name), PROFILE, {})
    if stamp.get("parameters") != json.loads(json.dumps(defaults, default=str)):
        return (
            f"{name}: the outputs in {directory} were made with parameters {stamp.get('parameters')}, not the smoke "
            f"defaults: run `python -m replicate run {name} --force`"
        )
    return None


def check_chapter(name: str, directory: Path) -> list[str]:
    problems = []
    out = paths.Run(PROFILE, name, folder=directory)
    declared = declaration(paths.NOTEBOOKS / f"{name}.py")
    for figure in declared["figures"]:
        path = out.figure(figure)
        problem = image_problem(path)
        if problem:
            problems.append(f"{name}: figure {figure} is {problem}: {path}")
    claims_file = out.claims
    try:
        recorded = {c.id: c for c in claims_mod.load(claims_file)} if claims_file.is_file() else {}
    except (ValueError, TypeError) as error:
        return problems + [f"{name}: {claims_file} is not a valid claims file ({error}); run the notebook again"]
    ref_file = reference_path(name)
    try:
        reference = json.loads(ref_file.read_text()) if ref_file.is_file() else {}
    except ValueError as error:
        return problems + [f"{name}: the reference file {ref_file} is not valid JSON ({error})"]
    stamp = runner.read_json(out.stamp)
    kernels = stamp.get("kernels") if isinstance(stamp, dict) else None
    environment = stamp.get("environment") if isinstance(stamp, dict) else None
    vendor = environment.get("cpu_vendor") if isinstance(environment, dict) else None
    other_kernels = kernel_note(kernels, vendor or cpu_vendor())
    module = declared.get("claims_module")
    if module:
        problems += [f"{name}: {p}" for p in control_problems(claims_mod.declarations(module), recorded)]
    for claim_id in declared["claims"]:
        if claim_id not in recorded:
            problems.append(f"{name}: claim {claim_id} was not recorded ({claims_file})")
            continue
        if claim_id not in reference:
            problems.append(
                f"{name}: claim {claim_id} has no reference value in {ref_file}: "
                f"review the run, then `python -m replicate check {name} --update-reference`"
            )
            continue
        ref = reference[claim_id]
        ours = recorded[claim_id].ours
        problems += declaration_changes(name, recorded[claim_id], ref)
        if ref["regen"].get("timing"):
            print(
                f"{name}: claim {claim_id} is a timing ({rules.format_value(ours)} now, "
                f"{rules.format_value(ref['ours'])} in the reference): machine-dependent, not compared"
            )
            continue
        if not claims_mod.regenerates(ref["ours"], ours, ref["regen"]["rel"], ref["regen"]["abs"]):
            problems.append(
                f"{name}: claim {claim_id} drifted: {rules.format_value(ours)} now, reference "
                f"{rules.format_value(ref['ours'])} (tolerance rel {ref['regen']['rel']:g}, abs "
                f"{ref['regen']['abs']:g}){other_kernels}"
            )
        elif recorded[claim_id].verdict != ref.get("verdict", recorded[claim_id].verdict):
            problems.append(
                f"{name}: claim {claim_id} verdict changed: {recorded[claim_id].verdict}, reference {ref['verdict']}"
                f"{other_kernels}"
            )
    return problems


def control_problems(declared: dict, recorded: dict) -> list[str]:
    """What is wrong with the nulls and controls of one run: ``declared`` the chapter's declarations by id,
    ``recorded`` its recorded claims by id (:class:`~replicate.core.claims.Claim` or their reference rows). Every
    testable paper claim and every absence claim must declare a null (an absence claim: its positive control) and
    have it measured wherever the claim was measured; no claim may be replicated while its null passes, or, for an
    absence claim, while its positive control went undetected (such a claim is *uninformative (could not have seen a
    difference)*, which the scorecard shows)."""
    problems = []
    for claim_id, spec in declared.items():
        if spec.kind == "paper" and spec.applicable and not spec.null.strip():
            problems.append(f"claim {claim_id} is a testable paper claim declared without a null")
        if spec.absence and not spec.null.strip():
            problems.append(f"claim {claim_id} is an absence claim declared without its positive control")
        row = recorded.get(claim_id)
        if row is None:
            continue
        get = row.get if isinstance(row, dict) else lambda key, c=row: getattr(c, key, None)
        verdict, null_verdict = get("verdict"), get("null_verdict")
        measured = verdict != "not applicable" and get("cause") not in ("data", "seed", "model")
        if spec.needs_null and measured and null_verdict is None:
            problems.append(f"claim {claim_id} was recorded without its null ({spec.null})")
        if null_verdict is None or not measured:
            continue
        failed = rules.null_fails(null_verdict, spec.absence)
        if verdict == "replicated" and not failed:
            word = "positive control went undetected" if spec.absence else "null passes"
            problems.append(f"claim {claim_id} is replicated while its {word} ({null_verdict})")
    return problems


def declaration_changes(name: str, claim: claims_mod.Claim, ref: dict) -> list[str]:
    """What changed in a claim's declaration since its reference was written: the paper's value, the rule, the
    null. A changed number alone says nothing of these; each is reported by name."""
    out = []
    for key, now, label in (
        ("paper", claim.paper, "paper value"),
        ("rule", claim.rule_spec, "rule"),
        ("null", claim.null_model, "null"),
    ):
        if key in ref and ref[key] != now:
            shown = rules.format_value if key == "paper" else json.dumps
            out.append(
                f"{name}: claim {claim.id}'s {label} changed: {shown(now)} now, reference {shown(ref[key])} "
                f"(review, then `python -m replicate check {name} --update-reference`)"
            )
    return out


def kernel_note(kernels, vendor: str) -> str:
    """What to say beside a drifted value of a run made with ``kernels`` (its stamp's record) on a processor of
    ``vendor``: nothing when they are the references' own, else which kernels differ."""
    if kernels == PORTABLE_KERNELS:
        note = mkl_branch_note(vendor)
        return f" ({note})" if note else ""
    used = kernels if isinstance(kernels, dict) else NATIVE_KERNELS
    return (
        f" (this run's CPU kernels: {used}; the reference's: the AVX2 kernels of "
        "replicate.repro.PORTABLE_KERNELS on x86-64, and a barely trained model's values move with the kernels)"
    )


def update_reference(name: str, directory: Path) -> Path:
    """Write the reference values of chapter ``name`` from its current smoke outputs (made with the defaults)."""
    problem = _smoke_outputs_problem(name, directory)
    if problem:
        raise ReplicateError(problem)
    claims_file = paths.Run(PROFILE, name, folder=directory).claims
    if not claims_file.is_file():
        raise ReplicateError(f"no claims for {name} in {directory}: run `python -m replicate run {name}` first")
    reference = {
        c.id: {
            "ours": c.ours,
            "verdict": c.verdict,
            "regen": c.regen,
            "description": c.description,
            "kind": c.kind,
            "paper": c.paper,
            "rule": c.rule_spec,
            "null": c.null_model,
            "null_value": c.null,
            "null_verdict": c.null_verdict,
        }
        for c in claims_mod.load(claims_file)
    }
    path = reference_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" for key, value in reference.items()]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    return path


def check(names: list[str] | None = None, run: bool = True, update: bool = False, log=print) -> list[str]:
    """Run the check over ``names`` (default: every notebook); return the list of problems (empty: passed)."""
    names = [runner.notebook_path(n).stem for n in names] if names else runner.available()
    problems = []
    for name in names:
        directory = paths.Run(PROFILE, name).dir
        try:
            if run:
                result = runner.run(name, PROFILE)
                log(f"{name}: {'ran in %.1f s' % result.seconds if result.ran else 'up to date'}")
            if update:
                log(f"{name}: reference written to {update_reference(name, directory)}")
        except ReplicateError as error:
            problems.append(f"{name}: {error}")
            continue
        problem = _smoke_outputs_problem(name, directory)
        problems += [problem] if problem else check_chapter(name, directory)
    return problems
