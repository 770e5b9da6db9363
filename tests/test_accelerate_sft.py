"""SFT under `accelerate launch` with two CPU processes training one adapter together (about a minute).

Skip it with `POVQA_SKIP_SLOW=1` (or `-m "not slow"`). `accelerate launch --cpu` starts a single process (several CPU
processes need mpirun), so the two processes are started with `--multi_gpu`; on a machine without GPUs each one runs
on the CPU and they train with the gloo backend, as several GPU processes would with NCCL."""
import json, os, subprocess, sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("POVQA_SKIP_SLOW") == "1", reason="POVQA_SKIP_SLOW=1: slow tests skipped")]


def test_two_process_sft(tmp_path):
    import torch
    if torch.cuda.is_available() and torch.cuda.device_count() < 2: pytest.skip("one GPU: the processes would share it")
    from povqa.sft import ADAPTER_META, load_adapter
    from povqa.testing import synthetic_dataset, tiny_backbone
    tiny = tiny_backbone(tmp_path/"tiny")  # the folder's name is the backbone's tag in the adapter's folder below
    synthetic_dataset(tmp_path/"synth", preprocess=("reasonvqa",), movies=4, movie_seconds=24, clips_per_show=(1, 1, 1),
                      clip_seconds=6)
    launcher = Path(sys.executable).parent/"accelerate"
    cmd = [str(launcher), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
           "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "povqa.sft",
           "--data", str(tmp_path/"synth"/"reasonvqa"), "--model", str(tiny), "--out", str(tmp_path/"models"),
           "--methods", "weighted_average", "--max_steps", "3", "--save_steps", "2", "--learning_rate", "3e-3",
           "--gradient_accumulation_steps", "1", "--quantization", "none", "--progress", "false"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    res = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    adapter = tmp_path/"models"/"sft-tiny-interleaved-16f"/"weighted_average"
    rec = json.loads((adapter/ADAPTER_META).read_text())
    assert rec["world_size"] == 2 and rec["global_step"] == 3
    assert not (adapter/"checkpoints").exists()
    model, processor, _ = load_adapter(adapter)
    assert any("lora_A" in n for n, _ in model.named_parameters())
