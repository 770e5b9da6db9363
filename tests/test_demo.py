"""The README's main job: `povqa_demo` from nothing, then again to show that a rerun resumes (about six minutes).

Skip it with `POVQA_SKIP_SLOW=1` (or `-m "not slow"`)."""
import json, os, subprocess, sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("POVQA_SKIP_SLOW") == "1", reason="POVQA_SKIP_SLOW=1: slow tests skipped")]

DEMO = Path(sys.executable).parent/"povqa_demo"


def _state(root:Path) -> dict:
    "Modification times of every adapter weight file and line counts of every record file."
    adapters = {str(p): p.stat().st_mtime_ns for p in (root/"models").rglob("adapter_model.safetensors")}
    records = {str(p): len(p.read_text().splitlines()) for p in (root/"runs").rglob("*.jsonl")}
    return dict(adapters=adapters, records=records)


def test_demo_learns_and_resumes(tmp_path):
    first = subprocess.run([str(DEMO), "--root", str(tmp_path), "--progress", "false"], capture_output=True, text=True)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    print(first.stdout)
    assert "SFT beats base on F1" in first.stdout and "SFT beats base on EmbedCos" in first.stdout
    demo = json.loads((tmp_path/"runs"/"report"/"demo.json").read_text())
    s = demo["summary"]
    assert s["sft"]["F1"] > s["base"]["F1"] and s["sft"]["EmbedCos"] > s["base"]["EmbedCos"]
    assert len([p for p in (tmp_path/"models").glob("*/*/adapter_model.safetensors")]) == 8  # SFT and DPO, four methods each
    assert len(list((tmp_path/"runs").rglob("*.summary.json"))) == 4 + 16 + 16 + 4 + 16  # base, SFT, DPO grids; TVQA base and DPO
    assert (tmp_path/"runs"/"report"/"tables.tex").exists() and (tmp_path/"runs"/"report"/"metric_bars.png").exists()

    before = _state(tmp_path)
    again = subprocess.run([str(DEMO), "--root", str(tmp_path), "--progress", "false"], capture_output=True, text=True)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert _state(tmp_path) == before, "the rerun trained or evaluated again instead of resuming"
    assert json.loads((tmp_path/"runs"/"report"/"demo.json").read_text())["summary"] == s
