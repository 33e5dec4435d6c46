"""The README's Python example runs as written, from the repository's root."""

import re
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def readme_python() -> str:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1, "README has one Python example"
    return blocks[0]


def test_the_readme_example_runs_as_written(monkeypatch):
    monkeypatch.chdir(ROOT)  # its CSV path is relative to the repository
    scope: dict = {}
    exec(compile(readme_python(), "README.md", "exec"), scope)
    raw, run, table = scope["raw"], scope["run"], scope["table"]
    assert raw.input_names == ("hours_studied", "hours_slept") and raw.target_name == "passed"
    assert raw.task == "binary" and len(raw.y) == 150
    assert run.cfg.hidden_layers == (16,)
    assert isinstance(table, pd.DataFrame) and len(table) == 9  # a 3 × 3 grid
    assert set(table["learning_rate"]) == {1e-3, 1e-2, 1e-1}
