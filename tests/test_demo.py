"""The README's main job: `povqa_demo` from nothing, then again to show that a rerun resumes.

The test runs it with 200 of the 900 pretraining updates, two of the four pooling methods, half the TVQA questions and
one ablation (frames blanked), so the suite stays inside its time budget on two cores. It checks what that configuration makes reliable: every stage
runs, SFT scores above the base model, blanking the frames costs F1 with an interval that excludes zero (the answers rest
on the video), and a rerun resumes. The default run, and every figure the README quotes, is the one stored in `nbs/12_demo.ipynb`.

Skip it with `POVQA_SKIP_SLOW=1` (or `-m "not slow"`)."""
import json, os, subprocess, sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("POVQA_SKIP_SLOW") == "1", reason="POVQA_SKIP_SLOW=1: slow tests skipped")]

DEMO = Path(sys.executable).parent/"povqa_demo"
# two of the four pooling methods (the two most unlike: BBLF keeps the last frame sharp, WA spreads the second evenly)
QUICK = ["--pretrain_steps", "200", "--methods", "blend_blur_with_last_frame,weighted_average", "--tvqa_questions", "54",
         "--ablations", "blank_frames"]


def _state(root:Path) -> dict:
    "Modification times of every adapter and backbone weight file and line counts of every record file."
    weights = {str(p): p.stat().st_mtime_ns for p in (root/"models").rglob("*.safetensors")}
    records = {str(p): len(p.read_text().splitlines()) for p in (root/"runs").rglob("*.jsonl")}
    return dict(weights=weights, records=records)


def test_demo_learns_and_resumes(tmp_path):
    first = subprocess.run([str(DEMO), "--root", str(tmp_path), "--progress", "false", *QUICK], capture_output=True, text=True)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    print(first.stdout)
    demo = json.loads((tmp_path/"runs"/"report"/"demo.json").read_text())
    s, found = demo["summary"], {f["what"].split(" (")[0]: f for f in demo["findings"]}
    # what this quick configuration makes reliable. After 200 updates the base model already scores F1 0.320, so
    # SFT's gain over it (+0.141, CI -0.031 to +0.305) is not shown on 64 questions here; the frames' effect is
    # (blanking them: -0.164, CI -0.266 to -0.047). The stored demo run shows both at the default 900 updates.
    assert s["sft"]["F1"] > s["base"]["F1"]
    blank = found["Blanking every frame and the keyframe"]
    assert blank.get("shown") and blank["diff"] < 0, blank["sentence"]
    for f in demo["findings"]: assert f["sentence"] in first.stdout
    backbone = tmp_path/"models"/"tiny-qwen2.5-vl-pretrained"
    assert (backbone/"povqa_pretrain.json").exists() and (backbone/"model.safetensors").exists()
    assert len([p for p in (tmp_path/"models").glob("*/*/adapter_model.safetensors")]) == 4  # SFT and DPO, two methods each
    assert len(list((tmp_path/"runs").rglob("*.summary.json"))) == 2 + 4 + 2 + 2 + 2 + 1  # base and SFT grids, DPO, TVQA (base, DPO), the ablation
    assert (tmp_path/"runs"/"report"/"tables.tex").exists() and (tmp_path/"runs"/"report"/"metric_bars.png").exists()

    before = _state(tmp_path)
    again = subprocess.run([str(DEMO), "--root", str(tmp_path), "--progress", "false", *QUICK], capture_output=True, text=True)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert _state(tmp_path) == before, "the rerun trained or evaluated again instead of resuming"
    assert json.loads((tmp_path/"runs"/"report"/"demo.json").read_text())["summary"] == s
