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
