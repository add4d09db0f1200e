"""Chinese labels render with the font fazhi ships (Noto Sans SC from zhplot, SIL OFL), on a machine
with no CJK font of its own: a fresh Python with an empty matplotlib cache saves a figure with Chinese
labels as PNG, SVG and PDF, and any missing-glyph warning (or font-not-found log line) fails the test."""

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

SCRIPT = r"""
import json, logging, sys, warnings
from pathlib import Path

logged = []
class Keep(logging.Handler):
    def emit(self, record):
        logged.append(record.getMessage())
logging.getLogger("matplotlib").addHandler(Keep(level=logging.WARNING))

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager

from fazhi_lib.plotting import font_files, setup_chinese_font
from fazhi_lib.stats import plot_report_counts
from fazhi_lib.scorecard import plot_scorecard, scorecard
import fazhi_lib as fz

out = Path(sys.argv[1])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    family = setup_chinese_font()
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.bar(["塘栖镇", "湖塘街道", "澧浦镇", "鎮"], [3, 5, 2, 1])
    ax.set_title("法治政府建设年度报告：存在的不足和原因")
    ax.set_xlabel("发布机构（全角括号）、顿号；“引号”")
    ax.set_ylabel("问题条数 −1")
    for fmt in ("png", "svg", "pdf"):
        fig.savefig(out / f"labels.{fmt}")
    corpus = fz.load_corpus(sys.argv[2])
    plot_report_counts(corpus).savefig(out / "counts.png")
    plot_scorecard(scorecard(corpus)).figure.savefig(out / "scorecard.png")
used = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
print(json.dumps({
    "family": family,
    "used": str(Path(used).resolve()),
    "shipped": [str(p.resolve()) for p in font_files()],
    "warnings": [str(w.message) for w in caught],
    "logged": logged,
}, ensure_ascii=False))
"""


def test_chinese_labels_have_every_glyph(tmp_path, processed_dir):
    env = {"MPLCONFIGDIR": str(tmp_path / "mplconfig"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), str(processed_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    info = json.loads(run.stdout.strip().splitlines()[-1])
    glyph = [w for w in info["warnings"] + info["logged"] if "glyph" in w.lower() or "findfont" in w.lower()]
    assert glyph == [], glyph
    assert info["family"] == "Noto Sans SC"
    assert info["used"] in info["shipped"]  # the shipped file, not a system font
    for name in ("labels.png", "labels.svg", "labels.pdf", "counts.png", "scorecard.png"):
        assert (tmp_path / name).stat().st_size > 5000, name


def test_the_shipped_font_carries_its_licence():
    import zhplot

    fonts = Path(zhplot.__file__).parent / "fonts"
    assert "SIL OPEN FONT LICENSE" in (fonts / "OFL.txt").read_text(encoding="utf-8", errors="replace").upper()
