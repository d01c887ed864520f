"""House habits, checked with the tests: ruff's formatter and linter (configured in pyproject.toml), and notebooks
that stay narrative (no ``def`` or ``class``, no code cell of more than 15 statements: logic belongs in
``replicate/``)."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

from replicate import paths

MAX_CELL_STATEMENTS = 15  # a code cell with more statements than this is logic that belongs in the paper's package


def _ruff() -> list[str]:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if not found:
        pytest.fail("ruff is not installed: `pip install -e .[test]` (python3 tasks.py test does it)")
    return [found]


@pytest.mark.parametrize("args", [["format", "--check", "--diff"], ["check", "--no-fix"]], ids=["format", "lint"])
def test_ruff(args):
    result = subprocess.run([*_ruff(), *args, "."], cwd=paths.REPO, capture_output=True, text=True)
    assert result.returncode == 0, (
        f"`ruff {' '.join(args)} .` failed (run `ruff format . && ruff check --fix .`):\n"
        + (result.stdout + result.stderr)[-4000:]
    )


def notebook_problems(notebook: Path, max_statements: int = MAX_CELL_STATEMENTS) -> list[str]:
    """What makes a notebook more than narrative: a function or class definition, or a code cell over the limit."""
    problems = []
    for number, cell in enumerate(jupytext.read(notebook).cells, start=1):
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                kind = "a lambda" if isinstance(node, ast.Lambda) else f"{type(node).__name__[:-3].lower()} {node.name}"
                problems.append(f"{notebook.name} cell {number} defines {kind}: move it into replicate/")
        # statements, not physical lines: the formatter spreads one call over many lines
        statements = sum(isinstance(node, ast.stmt) for node in ast.walk(ast.parse(source)))
        if statements > max_statements:
            problems.append(f"{notebook.name} cell {number} has {statements} statements (limit {max_statements})")
    return problems


@pytest.mark.parametrize("notebook", sorted(paths.NOTEBOOKS.glob("*.py")), ids=lambda p: p.stem)
def test_notebook_is_narrative(notebook):
    problems = notebook_problems(notebook)
    assert not problems, "\n".join(problems)


def test_notebook_check_catches_a_definition_and_a_long_cell(tmp_path):
    notebook = tmp_path / "nb.py"
    long_cell = "\n".join(f"x{i} = {i}" for i in range(MAX_CELL_STATEMENTS + 1))
    notebook.write_text(f"# %%\ndef helper():\n    return 1\n\n# %%\n{long_cell}\n\n# %%\nf = lambda v: v\n")
    problems = notebook_problems(notebook)
    assert any("defines function helper" in p for p in problems)
    assert any(f"has {MAX_CELL_STATEMENTS + 1} statements" in p for p in problems)
    assert any("defines a lambda" in p for p in problems)


# A decimal or a percentage in a notebook's markdown must be a literal of its code (a paper's value passed to a claim,
# a setting) or come from the run (myst-nb glue, or text generated from the claims): never a typed result.
PROSE_NUMBER = re.compile(r"(?<![\w.§])(?<!§ )(?<!Section )(?<!section )(\d+\.\d+|\d+(?:\.\d+)?\s?%)")
ALLOWED_IN_PROSE = {95.0, 0.95}  # the confidence level of every interval


def _literals(source: str) -> set[float]:
    return {
        round(float(node.value), 10)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and type(node.value) in (int, float)
    }


def typed_numbers(notebook: Path) -> list[str]:
    """Decimals and percentages in the markdown that no numeric literal of the code cells, or of the chapter's claims
    module (the paper's values and the rules' thresholds, declared there), accounts for."""
    nb = jupytext.read(notebook)
    cells = nb.cells
    literals = set(ALLOWED_IN_PROSE)
    module = (nb.metadata.get("replicate") or {}).get("claims")
    if isinstance(module, str):
        literals |= _literals((paths.REPO / (module.replace(".", "/") + ".py")).read_text())
    for cell in cells:
        if cell.cell_type == "code":
            source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
            literals |= _literals(source)
    found = []
    for cell in cells:
        if cell.cell_type == "markdown":
            for match in PROSE_NUMBER.finditer(cell.source):
                token = match.group(1)
                value = float(token.rstrip("% "))
                candidates = {round(value, 10)} | ({round(value / 100, 10)} if token.endswith("%") else set())
                if not candidates & literals:
                    found.append(token)
    return found


# An integer of 100 or more (or one written with thousands separators) in a notebook's markdown must be a literal of
# the chapter's code (a setting: 600 held-out users, seed + 1000) or come from the run: data-derived counts ("3,706
# rated movies", "about 51,000 sessions") are results of the run like any other. Figure, table, section and slide
# numbers, dataset names (ML-100K) and years are not counts.
PROSE_INTEGER = re.compile(r"(?<![\w.,§@/\-–#{:$^_])(\d{1,3}(?:,\d{3})+|\d{3,})(?![\w,%@/\-–}$^_]|\.\d)")
NOT_A_COUNT = re.compile(r"(Figure|Figures|Table|Tables|Section|Sections|Fig\.|Eq\.|slide|Slide|slides|issue)\s*$")

# A sentence of the markdown that gives a verdict ("… is replicated", "the claim holds", "it fails") states a result of
# the run, so it is glued or generated; a sentence that states a rule (when, where, if, unless, whose, only …) or a
# possibility (may, can, could …) is not a result.
VERDICT_WORD = re.compile(
    r"\b(replicated|replicates|fails|failed)\b|\bholds(?=\s*[.;:,]|\s+(here|too|on|in|over|for|again)\b)", re.I
)
RULE_WORD = re.compile(
    r"\b(when|whenever|where|if|unless|whose|only|must|may|might|can|cannot|could|would|should|either|whether|"
    r"until|once|which|each|every|any|none|no claim|a claim|the rule)\b",
    re.I,
)


def _markdown_text(source: str) -> str:
    """The markdown a reader sees as typed text: without inline code, glued roles, link targets and comments."""
    text = re.sub(r"\{glue(?::\w+)?\}`[^`]*`", " ", source)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"<!--.*?-->", " ", text, flags=re.S)


def _package_literals(module: str) -> set[float]:
    """Numeric literals of the package that declares the chapter's claims: its settings and the paper's values."""
    folder = paths.REPO / module.replace(".", "/")
    return set().union(*(_literals(f.read_text()) for f in folder.parent.glob("*.py")))


def typed_integers(notebook: Path) -> list[str]:
    """Counts in the markdown that no numeric literal of the notebook's code or its package accounts for."""
    nb = jupytext.read(notebook)
    module = (nb.metadata.get("replicate") or {}).get("claims")
    literals = _package_literals(module) if isinstance(module, str) else set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
            literals |= _literals(source)
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"(?<![*\w])\*[^*\n]+\*(?![*\w])", " ", _markdown_text(cell.source))  # titles in italics
        for match in PROSE_INTEGER.finditer(text):
            value = int(match.group(1).replace(",", ""))
            if 1900 <= value <= 2099 or NOT_A_COUNT.search(text[max(0, match.start() - 12) : match.start()]):
                continue
            if round(float(value), 10) not in literals:
                found.append(match.group(1))
    return found


def typed_verdicts(notebook: Path) -> list[str]:
    """Sentences of the markdown that give a verdict in typed words."""
    found = []
    for cell in jupytext.read(notebook).cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r'"[^"]*"|“[^”]*”', " ", " ".join(_markdown_text(cell.source).split()))  # quoted labels
        for sentence in re.split(r"(?<=[.!?:;])\s+|\n|(?<=\))\s*-\s", text):
            if VERDICT_WORD.search(sentence) and not RULE_WORD.search(sentence):
                found.append(sentence.strip()[:120])
    return found


@pytest.mark.parametrize("notebook", sorted(paths.NOTEBOOKS.glob("*.py")), ids=lambda p: p.stem)
def test_no_count_typed_into_prose(notebook):
    typed = typed_integers(notebook)
    assert not typed, (
        f"{notebook.name}: counts typed into markdown ({', '.join(typed)}): glue them from the run, or name the "
        "setting in the code"
    )


@pytest.mark.parametrize("notebook", sorted(paths.NOTEBOOKS.glob("*.py")), ids=lambda p: p.stem)
def test_no_verdict_typed_into_prose(notebook):
    typed = typed_verdicts(notebook)
    assert not typed, f"{notebook.name}: verdicts typed into markdown: {typed}: glue them or generate the sentence"


def test_typed_count_and_verdict_checks_catch_a_result(tmp_path):
    notebook = tmp_path / "nb.py"
    notebook.write_text(
        "# %% [markdown]\n# Of 3,706 movies, 600 users (Figure 120, 1996) see {glue:text}`n_movies`.\n"
        "# The claim is replicated. A claim is replicated when its interval lies within the band.\n\n"
        "# %%\nconfig = dict(users=600)\n"
    )
    assert typed_integers(notebook) == ["3,706"]
    assert typed_verdicts(notebook) == ["The claim is replicated."]


@pytest.mark.parametrize("notebook", sorted(paths.NOTEBOOKS.glob("*.py")), ids=lambda p: p.stem)
def test_no_result_typed_into_prose(notebook):
    typed = typed_numbers(notebook)
    assert not typed, (
        f"{notebook.name}: numbers typed into markdown ({', '.join(typed)}): glue them from the run "
        f"(myst-nb glue), generate the text from the claims, or pass the paper's value to a claim"
    )


def test_typed_number_check_catches_a_result_and_allows_a_paper_value(tmp_path):
    notebook = tmp_path / "nb.py"
    notebook.write_text(
        "# %% [markdown]\n# The paper reports 0.351; we get 0.377, in section 4.2, 95 % interval.\n\n"
        '# %%\nch.record("x", v, paper=0.351)\n'
    )
    assert typed_numbers(notebook) == ["0.377"]
