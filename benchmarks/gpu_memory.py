"""Peak GPU memory and speed of POVQA's two heavy calls on a Qwen2.5-VL-7B-shaped (or Qwen3.5-9B-shaped) model in NF4.

The 7B cannot be downloaded on the machines that run this, and memory and speed depend only on the model's shape, so
the model is built from `Qwen/Qwen2.5-VL-7B-Instruct`'s configuration (or `Qwen/Qwen3.5-9B`'s; both written out in
`povqa.backbone`) with random weights, quantised exactly as `load_backbone` quantises the real one (the shared `QuantConfig`, NF4 with double
quantisation, bfloat16 compute). Measured:

- one SFT step (forward, backward, AdamW update of the LoRA weights; gradient checkpointing; LoRA r 32 on the
  language model and the projector) on a training-shaped sample: 16 frames + the keyframe, 224x224 each;
- one greedy generation over an evaluation-shaped prompt: 59 frames + the keyframe (60 images).

Text tokens are random ids in the lengths a real prompt has (a header, one card per frame, the reply), placed around
the image tokens exactly as the chat template places them.

    python benchmarks/gpu_memory.py                       # the 7B shape on the GPU (needs about 20 GB)
    python benchmarks/gpu_memory.py --config qwen3.5-9b   # the Qwen3.5-9B shape on the GPU
    python benchmarks/gpu_memory.py --config tiny         # a dry run of the same code on the tiny backbone (CPU is fine)
    python benchmarks/gpu_memory.py --config tiny-qwen3.5 # the same dry run on the tiny Qwen3.5

Writes a JSON report (default `runs/benchmarks/gpu_memory_<config>.json`) and prints it.
"""
import argparse, json, os, platform, sys, tempfile, time
from pathlib import Path

import numpy as np
import torch


def log(*a): print(*a, file=sys.stderr, flush=True)


def model_class(config):
    "The `...ForConditionalGeneration` class of a configuration (Qwen2.5-VL, Qwen3-VL, Qwen3.5)."
    from transformers import AutoModelForImageTextToText
    return AutoModelForImageTextToText._model_mapping[type(config)]


def random_state_dict(config, dtype, device, seed=0):
    "Random weights with the model's names and shapes: N(0, 0.02) matrices, unit norm weights, zero biases."
    with torch.device("meta"): shell = model_class(config)(config)
    g = torch.Generator(device=device).manual_seed(seed)
    sd = {}
    for k, v in shell.state_dict().items():
        if v.ndim >= 2: sd[k] = (torch.randn(v.shape, generator=g, device=device, dtype=torch.float32) * 0.02).to(dtype)
        elif k.endswith("bias"): sd[k] = torch.zeros(v.shape, device=device, dtype=dtype)
        else: sd[k] = torch.ones(v.shape, device=device, dtype=dtype)
    return sd


def load_shaped(config, quantization, dtype, device):
    "A model of `config`'s shape from random weights, through `from_pretrained` with the shared quantisation."
    from povqa.backbone import _fix_4bit_for_cpu, quant_config
    q = quant_config(quantization)
    sd = random_state_dict(config, dtype, device)
    kw = dict(config=config, state_dict=sd, dtype=dtype, device_map={"": device})
    if (bnb := q.bnb(dtype)) is not None: kw["quantization_config"] = bnb
    model = model_class(config).from_pretrained(None, **kw)
    del sd
    if q.name in ("nf4", "fp4"): _fix_4bit_for_cpu(model)
    return model.eval()


def shape(config_name):
    "The configuration and image processor of the 7B or of Qwen3.5-9B (written out, no download), or of a tiny backbone."
    from transformers import AutoConfig, AutoProcessor, Qwen2VLImageProcessor
    from povqa.backbone import build_tiny_backbone, qwen2_5_vl_7b_config, qwen3_5_9b_config
    if config_name == "7b": return qwen2_5_vl_7b_config(), Qwen2VLImageProcessor() # Qwen2.5-VL's own pixel budget
    if config_name == "qwen3.5-9b": # Qwen/Qwen3.5-9B's preprocessor_config.json: 16-pixel patches, 256^2 to 4096^2 pixels
        return qwen3_5_9b_config(), Qwen2VLImageProcessor(patch_size=16, image_mean=[0.5]*3, image_std=[0.5]*3,
                                                          min_pixels=256*256, max_pixels=4096*4096)
    arch = "qwen3.5" if config_name == "tiny-qwen3.5" else "qwen2.5-vl"
    path = build_tiny_backbone(Path(tempfile.mkdtemp())/f"tiny-{arch}", arch=arch)
    return AutoConfig.from_pretrained(path), AutoProcessor.from_pretrained(path).image_processor


def synthetic_inputs(config, image_processor, n_images:int, header_tokens:int=250, card_tokens:int=45,
                     reply_tokens:int=0, image_size:int=224, seed:int=0):
    "A prompt shaped like POVQA's: header, then per image `<|vision_start|>` pads `<|vision_end|>` and a text card."
    rng = np.random.default_rng(seed)
    images = [rng.integers(0, 256, (image_size, image_size, 3), dtype=np.uint8) for _ in range(n_images)]
    vis = image_processor(images=images, return_tensors="pt")
    merge = image_processor.merge_size ** 2
    n_text = min(config.vision_start_token_id, config.text_config.vocab_size) - 1
    text = lambda n: rng.integers(0, n_text, n).tolist()
    ids = text(header_tokens)
    for thw in vis["image_grid_thw"]:
        ids += [config.vision_start_token_id] + [config.image_token_id] * int(thw.prod() // merge) + [config.vision_end_token_id]
        ids += text(card_tokens)
    n_prompt = len(ids)
    ids += text(reply_tokens)
    input_ids = torch.tensor([ids])
    out = dict(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
               mm_token_type_ids=(input_ids == config.image_token_id).int(),
               pixel_values=vis["pixel_values"], image_grid_thw=vis["image_grid_thw"])
    if reply_tokens:
        labels = input_ids.clone(); labels[:, :n_prompt] = -100
        out["labels"] = labels
    return out


def sync(device):
    if device != "cpu": torch.cuda.synchronize()


def peak_gb(device):
    return round(torch.cuda.max_memory_allocated() / 2**30, 2) if device != "cpu" else None


def allocated_gb(device):
    return round(torch.cuda.memory_allocated() / 2**30, 2) if device != "cpu" else None


def reset_peak(device):
    if device != "cpu":
        torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()


def measure(config_name="7b", quantization="nf4", train_frames=16, eval_frames=59, new_tokens=128, steps=3):
    from povqa.backbone import resolve_dtype
    from povqa.sft import SFTArgs, add_lora
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = resolve_dtype()
    report = dict(config=config_name, quantization=quantization, dtype=str(dtype).replace("torch.", ""), device=device,
                  gpu=torch.cuda.get_device_name() if device == "cuda" else None, torch=torch.__version__,
                  python=platform.python_version())
    config, image_processor = shape(config_name)
    t0 = time.time()
    model = load_shaped(config, quantization, dtype, device)
    sync(device)
    report["load"] = dict(seconds=round(time.time() - t0, 1), gpu_gb_after_load=allocated_gb(device),
                          stored_parameters_billion=round(sum(p.numel() for p in model.parameters()) / 1e9, 3),
                          linear_4bit_layers=sum(type(m).__name__ == "Linear4bit" for m in model.modules()))
    log("loaded:", report["load"])

    # one SFT step: 16 frames + keyframe, LoRA r 32 on the language model and the projector, checkpointing, AdamW
    model = add_lora(model, SFTArgs(model="", lora_target_mm_projector=True))
    model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    model.train()
    batch = {k: v.to(device) for k, v in synthetic_inputs(model.config, image_processor, train_frames + 1,
                                                            reply_tokens=120).items()}
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=5e-5)
    reset_peak(device)
    times = []
    for i in range(steps + 1):
        sync(device); t = time.time()
        with torch.autocast(device_type=device, dtype=dtype, enabled=dtype == torch.bfloat16):
            loss = model(**batch).loss
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
        sync(device)
        if i: times.append(time.time() - t) # the first step warms up kernels
    report["sft_step"] = dict(images=train_frames + 1, tokens=int(batch["input_ids"].shape[1]),
                              seconds_per_step=round(float(np.median(times)), 3), peak_gpu_gb=peak_gb(device),
                              loss_is_finite=bool(torch.isfinite(loss)))
    log("sft step:", report["sft_step"])
    del opt, batch, loss

    # one greedy generation over 59 frames + keyframe
    model.eval()
    prompt = {k: v.to(device) for k, v in synthetic_inputs(model.config, image_processor, eval_frames + 1).items()}
    reset_peak(device)
    sync(device); t = time.time()
    with torch.no_grad():
        out = model.generate(**prompt, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False)
    sync(device)
    secs = time.time() - t
    report["generate"] = dict(images=eval_frames + 1, prompt_tokens=int(prompt["input_ids"].shape[1]),
                              new_tokens=int(out.shape[1] - prompt["input_ids"].shape[1]), seconds=round(secs, 2),
                              tokens_per_second=round((out.shape[1] - prompt["input_ids"].shape[1]) / secs, 1),
                              peak_gpu_gb=peak_gb(device))
    log("generate:", report["generate"])
    return report


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", choices=["7b", "qwen3.5-9b", "tiny", "tiny-qwen3.5"], default="7b",
                   help="model shape (tiny ones: a dry run, CPU is fine)")
    p.add_argument("--quantization", default="nf4", help="nf4, fp4, 8bit or none (the shared QuantConfig names)")
    p.add_argument("--new_tokens", type=int, default=128, help="tokens generated")
    p.add_argument("--steps", type=int, default=3, help="timed SFT steps (after one warm-up step)")
    p.add_argument("--out", default=None, help="JSON report (default runs/benchmarks/gpu_memory_<config>.json)")
    a = p.parse_args()
    if not a.config.startswith("tiny") and not torch.cuda.is_available():
        sys.exit(f"the {a.config} shape needs a GPU; use --config tiny (or tiny-qwen3.5) for a dry run")
    torch.manual_seed(0)
    rep = measure(a.config, a.quantization, new_tokens=a.new_tokens, steps=a.steps)
    out = Path(a.out or f"runs/benchmarks/gpu_memory_{a.config}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp"); tmp.write_text(json.dumps(rep, indent=2)); os.replace(tmp, out)
    print(json.dumps(rep, indent=2))
