"""The rules folder: the one reader of FAZHI_RULES_DIR, and the one cache of what is compiled from
rule files (kept while the file is unchanged, compiled again after an edit)."""

import ast
from pathlib import Path

from fazhi_lib import rules
from fazhi_lib.rules import RULES_DIR, compiled, load_rules, rule_folders

PACKAGE = Path(rules.__file__).resolve().parents[1]


def compile_kinds(parts: dict) -> list[str]:
    return [k["kind"] for k in parts["kinds"]]


def test_compiled_once_per_loaded_rules():
    first = compiled(compile_kinds, load_rules("parts"))
    assert first == [k["kind"] for k in load_rules("parts")["kinds"]]
    assert compiled(compile_kinds, load_rules("parts")) is first


def test_compiled_again_for_another_rules_folder(tmp_path, monkeypatch):
    before = compiled(compile_kinds, load_rules("parts"))
    text = (RULES_DIR / "parts.yaml").read_text(encoding="utf-8")
    first_kind = before[0]
    (tmp_path / "parts.yaml").write_text(text.replace(f"kind: {first_kind}", "kind: renamed", 1), encoding="utf-8")
    monkeypatch.setenv("FAZHI_RULES_DIR", str(tmp_path))
    after = compiled(compile_kinds, load_rules("parts"))
    assert after[0] == "renamed" and after[1:] == before[1:]
    assert rule_folders() == [RULES_DIR, tmp_path]
    monkeypatch.delenv("FAZHI_RULES_DIR")
    assert compiled(compile_kinds, load_rules("parts")) == before
    assert rule_folders() == [RULES_DIR]


def test_only_the_rules_module_reads_the_override_variable():
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value == "FAZHI_RULES_DIR":
                readers.append(path.relative_to(PACKAGE).as_posix())
    assert readers == ["rules/__init__.py"]
