"""Peak GPU memory and time of POVQA's heavy steps on a Qwen2.5-VL-7B-shaped model in NF4: SFT, DPO and generation.

The 7B cannot be downloaded on the machines that run this, and memory and time depend on the model's shape, not on
its weights. So a checkpoint of the 7B's shape is written first: `Qwen/Qwen2.5-VL-7B-Instruct`'s configuration (as
`povqa.backbone` writes it out), random bfloat16 weights in safetensors shards under the checkpoint's own tensor
names, written tensor by tensor from the CPU (the model is built on the meta device only to read the names and
shapes; nothing of it is ever materialised), and a processor beside it (Qwen2.5-VL's image processor and chat
template; the tokenizer is the tiny backbone's, its special tokens moved to the real ids). Everything after that is
the project's own code, on that folder, in NF4 with double quantisation:

- **SFT**: `povqa.sft.train_sft` (which loads through `load_backbone`, adds LoRA r 32 on the language model and the
  projector, and trains with gradient checkpointing and bf16 autocast) on training-shaped samples, 16 frames + the
  keyframe + the hint, one sample per step;
- **DPO**: `povqa.dpo.train_dpo` from that SFT adapter (policy = base + SFT adapter, trainable; reference = the same
  adapter, frozen, as TRL's `ref` copy), one pair (chosen and rejected) per step;
- **generation**: the evaluation's `Backbone` with the DPO adapter active and `generate_replies` (greedy) on
  evaluation-shaped prompts, 59 frames + the keyframe (60 images), at each batch size.

Each phase starts from an empty GPU and its peak includes its own loading (the counter is never reset between a load
and the steps it feeds). Time is wall-clock, the GPU synchronised: the time to the first step (loading, quantising,
attaching adapters, building the trainer), then each optimizer step (forward, backward, update; the data loader's
collation before it is not counted), the first one being a warm-up. The prompts come from a synthetic ReasonVQA
dataset made and pooled on the spot (`povqa.synthetic`, `povqa.preprocess`) with one-minute scenes, so windows hold
the frame counts the paper uses. Text lengths are those of the tiny tokenizer (a few thousand tokens of vocabulary,
trained on the prompt's own words), so text costs somewhat more tokens than with the real tokenizer; the 64 visual
tokens of a 224x224 frame are exact.

    python benchmarks/gpu_memory.py                              # the 7B shape (a GPU with about 24 GB)
    python benchmarks/gpu_memory.py --config 7b-shallow --train_frames 2 --eval_frames 2 \\
        --batch_sizes 1,2 --gen_batches 1 --new_tokens 2 --sft_steps 1 --dpo_steps 1   # its widths, 2 layers: a CPU dry run
    python benchmarks/gpu_memory.py --config tiny               # the tiny backbone's shape: a fast CPU dry run
    python benchmarks/gpu_memory.py --config tiny-qwen3.5       # the same dry run on the tiny Qwen3.5

Writes a JSON record (default `benchmarks/results/gpu_memory_<config>_<device>.json`; `<out>.partial.json` after
each phase until the record is complete) with the device, the library versions, every setting and the figures.
"""
import argparse, gc, json, math, platform, shutil, struct, subprocess, sys, tempfile, time
from dataclasses import asdict, dataclass, field, fields
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import torch

METHOD = "weighted_average" # the pooling method of every prompt (memory and time do not depend on it)
PACKAGES = ("torch", "transformers", "peft", "trl", "bitsandbytes", "accelerate", "datasets", "tokenizers",
            "safetensors", "numpy", "fastcore", "pysrt")


@dataclass
class BenchArgs:
    config: str = field(default="7b", metadata={"help": "7b (the paper's shape), 7b-shallow (its widths with 2 text "
                                                        "layers and 2 vision blocks: a CPU dry run), tiny or tiny-qwen3.5"})
    quantization: str = field(default="nf4", metadata={"help": "nf4, fp4, 8bit or none (the shared QuantConfig)"})
    dtype: str = field(default="auto", metadata={"help": "bfloat16, float32 or auto (bfloat16 on a GPU that has it)"})
    train_frames: int = field(default=16, metadata={"help": "pooled frames of a training prompt (+ the keyframe)"})
    eval_frames: int = field(default=59, metadata={"help": "pooled frames of an evaluation prompt (+ the keyframe)"})
    sft_steps: int = field(default=2, metadata={"help": "timed SFT steps, after one warm-up step"})
    dpo_steps: int = field(default=2, metadata={"help": "timed DPO steps, after one warm-up step"})
    batch_sizes: str = field(default="1,4,8", metadata={"help": "generation batch sizes, comma-separated"})
    gen_batches: int = field(default=1, metadata={"help": "timed generate calls at each batch size (after a warm-up)"})
    new_tokens: int = field(default=128, metadata={"help": "max_new_tokens of each reply"})
    seed: int = field(default=0, metadata={"help": "seed of the random weights"})
    work: str = field(default=None, metadata={"help": "folder for the checkpoint, data and adapters "
                                                      "(default: a temporary one, removed at the end)"})
    out: str = field(default=None, metadata={"help": "the JSON record "
                                                     "(default: benchmarks/results/gpu_memory_<config>_<device>.json)"})


def log(*a): print(f"[{time.strftime('%H:%M:%S')}]", *a, file=sys.stderr, flush=True)

# ------------------------------------------------------------------ the checkpoint

HUB_NAMES = (("model.language_model.", "model."), ("model.visual.", "visual.")) # module paths -> the 7B's tensor names
POOL = 33_554_467 # a prime number of N(0, 0.02) draws that every weight matrix is a window of
SHARD_BYTES = 2 * 10**9 # shards of at most 2 GB (the 7B's own hold about 4 GB): the 7B shape and 7b-shallow both get an index


def hub_name(key:str) -> str:
    "The name the 7B's safetensors give a tensor of the transformers 5 model (`model.language_model.x` -> `model.x`)."
    for new, old in HUB_NAMES:
        if key.startswith(new): return old + key[len(new):]
    return key


def shaped_config(name:str, work:Path):
    "The configuration of `name`: the 7B's, the 7B's widths with 2 text layers and 2 vision blocks, or the tiny backbone's."
    from transformers import AutoConfig, Qwen2_5_VLConfig
    from povqa.backbone import QWEN2_5_VL_7B_CONFIG, build_tiny_backbone
    if name in ("tiny", "tiny-qwen3.5"):
        return AutoConfig.from_pretrained(build_tiny_backbone(work/"tiny", arch="qwen3.5" if name == "tiny-qwen3.5" else "qwen2.5-vl"))
    cfg = json.loads(json.dumps(QWEN2_5_VL_7B_CONFIG))
    if name == "7b-shallow":
        cfg.update(num_hidden_layers=2, max_window_layers=2)
        cfg["vision_config"].update(depth=2, fullatt_block_indexes=[1]) # one windowed and one full-attention block, as the 7B mixes them
    elif name != "7b": raise SystemExit(f"--config {name!r}: not one of 7b, 7b-shallow, tiny, tiny-qwen3.5")
    return Qwen2_5_VLConfig(**cfg)


def shaped_processor(config, work:Path):
    "A Qwen2.5-VL processor for `config`: the real image processor and template, the tiny tokenizer with the real special ids."
    from transformers import AutoProcessor, Qwen2Tokenizer, Qwen2VLImageProcessor, Qwen2_5_VLProcessor
    from transformers.models.qwen2_vl.video_processing_qwen2_vl import Qwen2VLVideoProcessor
    from povqa.backbone import QWEN2_5_VL_CHAT_TEMPLATE, QWEN2_5_VL_SPECIAL_TOKENS, train_tiny_tokenizer
    if (work/"tiny").is_dir(): return AutoProcessor.from_pretrained(work/"tiny") # the tiny backbone's own
    tiny = train_tiny_tokenizer()
    first = config.vision_start_token_id - QWEN2_5_VL_SPECIAL_TOKENS.index("<|vision_start|>") # 151643 for the 7B
    model = json.loads(tiny.backend_tokenizer.to_str())["model"]
    vocab = dict(model["vocab"])
    if len(vocab) > first: raise ValueError(f"the tiny vocabulary ({len(vocab)}) does not fit below id {first}")
    vocab.update({f"\u0120<fill{i}>": i for i in range(len(vocab), first)}) # never produced by a merge; decodes as " <fillN>"
    tok = Qwen2Tokenizer(vocab=vocab, merges=[tuple(m) for m in model["merges"]], unk_token=None, bos_token=None,
                         eos_token=None, pad_token=None)
    tok.add_tokens([tiny.added_tokens_decoder[i] for i in sorted(tiny.added_tokens_decoder)])
    tok.eos_token, tok.pad_token, tok.model_max_length = tiny.eos_token, tiny.pad_token, tiny.model_max_length
    tok.chat_template = QWEN2_5_VL_CHAT_TEMPLATE
    want = {"<|vision_start|>": config.vision_start_token_id, "<|vision_end|>": config.vision_end_token_id,
            "<|image_pad|>": config.image_token_id, "<|video_pad|>": config.video_token_id}
    got = {t: tok.convert_tokens_to_ids(t) for t in want}
    if got != want: raise ValueError(f"special token ids {got} differ from the configuration's {want}")
    ip = Qwen2VLImageProcessor(min_pixels=3136, max_pixels=12845056) # the 7B's pixel budget: a 224x224 frame is 64 tokens
    return Qwen2_5_VLProcessor(image_processor=ip, tokenizer=tok, video_processor=Qwen2VLVideoProcessor(),
                               chat_template=QWEN2_5_VL_CHAT_TEMPLATE)


def _safetensors_header(entries) -> bytes:
    "The length-prefixed JSON header of a safetensors file holding `entries` [(name, shape, nbytes)], in order."
    meta, at = {"__metadata__": {"format": "pt"}}, 0
    for name, shape, n in entries:
        meta[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [at, at + n]}; at += n
    head = json.dumps(meta, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8) # the data starts 8-byte aligned
    return struct.pack("<Q", len(head)) + head


def write_random_checkpoint(config, processor, out, # the folder to write (replaced if it exists)
                            seed:int=0) -> dict:
    "Write a random bfloat16 checkpoint of `config`'s shape in safetensors shards, tensor by tensor, with its processor."
    from transformers import GenerationConfig, Qwen2_5_VLForConditionalGeneration
    out = Path(out)
    with torch.device("meta"): shell = Qwen2_5_VLForConditionalGeneration(config)
    tensors = [(hub_name(k), tuple(v.shape)) for k, v in shell.state_dict().items()]
    del shell
    pool = (torch.randn(POOL, generator=torch.Generator().manual_seed(seed)) * 0.02).to(torch.bfloat16).view(torch.int16).numpy()
    one, rng = torch.ones(1, dtype=torch.bfloat16).view(torch.int16).item(), np.random.default_rng(seed)
    shards, size = [[]], 0
    for name, shape in tensors:
        n = 2 * math.prod(shape)
        if shards[-1] and size + n > SHARD_BYTES: shards.append([]); size = 0
        shards[-1].append((name, shape, n)); size += n
    files = ["model.safetensors"] if len(shards) == 1 else [f"model-{i+1:05d}-of-{len(shards):05d}.safetensors" for i in range(len(shards))]
    staging = out.with_name(f".{out.name}.building")
    if staging.exists(): shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for file, entries in zip(files, shards):
        with open(staging/file, "wb") as f:
            f.write(_safetensors_header(entries))
            for name, shape, n in entries:
                count = n // 2
                if len(shape) >= 2: # a window of the pool, from a random start, wrapping around
                    start = int(rng.integers(POOL))
                    while count:
                        k = min(count, POOL - start); f.write(pool[start:start + k]); count -= k; start = 0
                else: f.write(np.full(count, 0 if name.endswith("bias") else one, dtype=np.int16)) # biases 0, norms 1
    if len(files) > 1:
        weight_map = {name: file for file, entries in zip(files, shards) for name, _, _ in entries}
        total = sum(n for entries in shards for _, _, n in entries)
        (staging/"model.safetensors.index.json").write_text(json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2))
    config.architectures = ["Qwen2_5_VLForConditionalGeneration"]
    config.save_pretrained(staging)
    tok = processor.tokenizer
    eos = [tok.convert_tokens_to_ids("<|im_end|>"), tok.convert_tokens_to_ids("<|endoftext|>")]
    GenerationConfig(bos_token_id=eos[1], eos_token_id=eos, pad_token_id=eos[1], do_sample=False,
                     repetition_penalty=1.05).save_pretrained(staging) # Qwen2.5-VL's repetition penalty
    processor.save_pretrained(staging)
    if out.exists(): shutil.rmtree(out)
    staging.rename(out)
    return dict(shards=len(files), gb_on_disk=round(sum((out/f).stat().st_size for f in files) / 1e9, 3),
                parameters_billion=round(sum(math.prod(s) for _, s in tensors) / 1e9, 3), tensors=len(tensors))


def loaded_as_written(model, folder) -> bool:
    "Whether the unquantised embedding, output layer and patch embedding of the loaded `model` hold the file's values."
    from safetensors import safe_open
    index = folder/"model.safetensors.index.json"
    where = json.loads(index.read_text())["weight_map"] if index.exists() else None
    def saved(name):
        with safe_open(str(folder/(where[name] if where else "model.safetensors")), "pt") as f: return f.get_tensor(name)
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    pairs = {"model.embed_tokens.weight": base.get_input_embeddings().weight, "lm_head.weight": base.get_output_embeddings().weight,
             "visual.patch_embed.proj.weight": base.model.visual.patch_embed.proj.weight}
    return all(torch.equal(p.detach().float().cpu(), saved(name).float()) for name, p in pairs.items())

# ------------------------------------------------------------------ measuring

def _sync():
    if torch.cuda.is_available(): torch.cuda.synchronize()

GIB = 2**30

def start_phase() -> dict:
    "Free what the last phase left, reset the GPU peak counter, and say what is still allocated."
    gc.collect()
    if not torch.cuda.is_available(): return {}
    torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
    return dict(allocated_at_start_gib=round(torch.cuda.memory_allocated() / GIB, 3))

def peak() -> dict:
    "The GPU memory peaks since the last `start_phase` (allocated by tensors; reserved by PyTorch's allocator)."
    if not torch.cuda.is_available(): return dict(peak_allocated_gib=None, peak_reserved_gib=None)
    return dict(peak_allocated_gib=round(torch.cuda.max_memory_allocated() / GIB, 3),
                peak_reserved_gib=round(torch.cuda.max_memory_reserved() / GIB, 3))

def outside_pytorch_gib():
    "GPU memory in use that PyTorch's allocator does not hold (CUDA context, library workspaces), now."
    if not torch.cuda.is_available(): return None
    free, total = torch.cuda.mem_get_info()
    return round((total - free - torch.cuda.memory_reserved()) / GIB, 3)

def fits(m:dict, gib:float=24.0):
    "Whether a phase's reserved peak plus the memory outside PyTorch stays within `gib` GiB (None on a CPU)."
    if m.get("peak_reserved_gib") is None or m.get("outside_pytorch_gib") is None: return None
    return m["peak_reserved_gib"] + m["outside_pytorch_gib"] <= gib


def step_clock():
    "A Trainer callback timing the way to the first step and each optimizer step, and the memory peak once loaded."
    from transformers import TrainerCallback
    class StepClock(TrainerCallback):
        def __init__(self): self.t0, self.steps = time.perf_counter(), []
        def on_train_begin(self, args, state, control, model=None, **kw):
            _sync(); self.ready, self.load = time.perf_counter() - self.t0, peak()
            train = [p for p in model.parameters() if p.requires_grad]
            self.trainable = dict(parameters_million=round(sum(p.numel() for p in train) / 1e6, 2),
                                  dtypes=sorted({str(p.dtype).replace("torch.", "") for p in train}))
        def on_step_begin(self, args, state, control, **kw): _sync(); self.t = time.perf_counter()
        def on_step_end(self, args, state, control, **kw):
            _sync(); self.steps.append(time.perf_counter() - self.t); log(f"  step {len(self.steps)}: {self.steps[-1]:.2f} s")
    return StepClock()


def trained(clock, record:dict, keys=("loss",)) -> dict:
    "What a training phase measured: its loading, its steps, its peaks, and the logged values of `keys`."
    logged = {k: [h[k] for h in record["log_history"] if k in h] for k in keys}
    timed = clock.steps[1:] or clock.steps
    return dict(seconds_to_first_step=round(clock.ready, 2), load=clock.load, trainable=clock.trainable, step_seconds=[round(s, 3) for s in clock.steps],
                median_step_seconds=round(float(np.median(timed)), 3), steps=record["global_step"], **peak(),
                outside_pytorch_gib=outside_pytorch_gib(), logged=logged,
                finite=all(math.isfinite(v) for v in logged["loss"]) and bool(logged["loss"]))


class TokenCount:
    "Wraps `model.generate` to count the prompt and new tokens it handles (padding excluded)."
    def __init__(self, model, pad_id:int):
        self.generate, self.pad, self.new, self.prompt, self.rows = model.generate, pad_id, 0, 0, 0
        model.generate = self
    def __call__(self, **kw):
        out = self.generate(**kw)
        n = kw["input_ids"].shape[1]
        self.new += int((out[:, n:] != self.pad).sum()); self.prompt += int(kw["attention_mask"].sum()); self.rows += out.shape[0]
        return out


def bench_data(work:Path) -> Path:
    "A synthetic ReasonVQA root of one-minute scenes (windows of about 60 pooled frames), pooled with METHOD."
    from povqa.preprocess import preprocess_reasonvqa_root
    from povqa.synthetic import make_synthetic
    make_synthetic(work, movies=2, movie_seconds=240, scene_seconds=60, clips_per_show=(1, 0, 0), clip_seconds=60)
    preprocess_reasonvqa_root(work/"reasonvqa", methods=(METHOD,), progress=False)
    return work/"reasonvqa"


def environment() -> dict:
    "The device, the interpreter and the library versions of this run."
    def ver(p):
        try: return version(p)
        except PackageNotFoundError: return None
    try: commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10).stdout.strip() or None
    except OSError: commit = None
    env = dict(python=platform.python_version(), platform=platform.platform(), cpu_threads=torch.get_num_threads(),
               versions={p: ver(p) for p in PACKAGES}, cuda=torch.version.cuda, commit=commit)
    if torch.cuda.is_available():
        p = torch.cuda.get_device_properties(0)
        env |= dict(device="cuda", gpu=torch.cuda.get_device_name(0), gpu_memory_gib=round(p.total_memory / GIB, 2),
                    capability=f"{p.major}.{p.minor}", bf16_supported=torch.cuda.is_bf16_supported())
    else: env |= dict(device="cpu", gpu=None)
    return env

# ------------------------------------------------------------------ the phases

def run(a:BenchArgs) -> dict:
    from povqa.backbone import quant_config, resolve_dtype
    from povqa.core import read_json, write_json
    from povqa.data import split_movies
    from povqa.dpo import DPOArgs, DPOCollator, dpo_adapter_dir, preference_pairs, train_dpo
    from povqa.evaluate import Adapter, Backbone, EvalArgs, generate_replies, segments_cap
    from povqa.prompts import reasonvqa_samples
    from povqa.sft import ADAPTER_META, SFTArgs, SFTCollator, prompt_settings, sft_adapter_dir, train_sft

    dtype, q = resolve_dtype(a.dtype), quant_config(a.quantization)
    env = environment()
    out = Path(a.out or f"benchmarks/results/gpu_memory_{a.config}_{(env['gpu'] or 'cpu').lower().replace(' ', '-')}.json")
    partial = out.with_suffix(".partial.json")
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="povqa_gpu_bench_"))
    rep = dict(complete=False, benchmark="gpu_memory", environment=env, settings=dict(asdict(a), dtype=str(dtype).replace("torch.", ""),
               quantization=asdict(q), method=METHOD))
    save = lambda: write_json(partial, rep, indent=1)
    try:
        t = time.perf_counter()
        config = shaped_config(a.config, work)
        processor = shaped_processor(config, work)
        folder = work/f"random-{a.config}"
        rep["checkpoint"] = write_random_checkpoint(config, processor, folder, a.seed)
        rep["checkpoint"]["seconds"] = round(time.perf_counter() - t, 1)
        rep["model"] = dict(text_layers=config.text_config.num_hidden_layers, hidden_size=config.text_config.hidden_size,
                            intermediate_size=config.text_config.intermediate_size, vocab_size=config.text_config.vocab_size,
                            vision_depth=config.vision_config.depth, vision_hidden_size=config.vision_config.hidden_size,
                            pixel_budget=dict(processor.image_processor.size))
        log("checkpoint:", rep["checkpoint"])
        t = time.perf_counter()
        root = bench_data(work/"data")
        rep["data_seconds"] = round(time.perf_counter() - t, 1)
        train_movies, eval_movies = split_movies(root/"annotations")
        save()

        # SFT: train_sft loads the NF4 base, adds LoRA (language model + projector) and trains with checkpointing
        sft_args = SFTArgs(data=str(root), model=str(folder), out=str(work/"models"), methods=METHOD, max_frames=a.train_frames,
                           quantization=q.name, bf16=dtype == torch.bfloat16, gradient_checkpointing=True,
                           gradient_accumulation_steps=1, max_steps=1 + a.sft_steps, save_steps=10**6, progress=False)
        samples = reasonvqa_samples(root, train_movies, METHOD, **prompt_settings(sft_args))
        batch = SFTCollator(processor, sft_args.max_length)(samples[:1])
        shape = dict(images=int(batch["image_grid_thw"].shape[0]), tokens=int(batch["input_ids"].shape[1]),
                     image_tokens=int((batch["input_ids"] == config.image_token_id).sum()),
                     supervised_tokens=int((batch["labels"] != -100).sum()))
        log("sft: sample", shape)
        rep["sft"] = dict(start_phase(), sample=shape, settings=asdict(sft_args))
        clock = step_clock()
        train_sft(sft_args, callbacks=[clock])
        rec = read_json(sft_adapter_dir(sft_args, METHOD)/ADAPTER_META)
        rep["sft"] |= trained(clock, rec)
        rep["sft"]["fits_24gib"] = fits(rep["sft"])
        log("sft:", {k: rep["sft"][k] for k in ("seconds_to_first_step", "median_step_seconds", "peak_allocated_gib", "peak_reserved_gib")})
        save()

        # DPO: train_dpo from the SFT adapter; TRL keeps the frozen reference as a second adapter on the same base
        dpo_args = DPOArgs(data=str(root), model=str(folder), out=str(work/"models"), methods=METHOD, max_frames=a.train_frames,
                           quantization=q.name, bf16=dtype == torch.bfloat16, gradient_checkpointing=True,
                           gradient_accumulation_steps=1, max_steps=1 + a.dpo_steps, save_steps=10**6, progress=False)
        pairs = preference_pairs(samples, dpo_args.seed, dpo_args.variants)
        batch = DPOCollator(processor, dpo_args.max_length, dpo_args.correctness_only)(pairs[:1])
        shape = dict(rows=int(batch["input_ids"].shape[0]), images_per_row=int(batch["image_grid_thw"].shape[0]) // 2,
                     tokens=int(batch["input_ids"].shape[1]), counted_tokens=batch["completion_mask"].sum(1).tolist())
        log("dpo: pair", shape)
        rep["dpo"] = dict(start_phase(), pair=shape, settings=asdict(dpo_args))
        clock = step_clock()
        train_dpo(dpo_args, callbacks=[clock])
        dpo_dir = dpo_adapter_dir(dpo_args, METHOD)
        rep["dpo"] |= trained(clock, read_json(dpo_dir/ADAPTER_META), ("loss", "rewards/margins"))
        rep["dpo"]["fits_24gib"] = fits(rep["dpo"])
        log("dpo:", {k: rep["dpo"][k] for k in ("seconds_to_first_step", "median_step_seconds", "peak_allocated_gib", "peak_reserved_gib")})
        save()

        # generation: the evaluation's backbone with the DPO adapter, greedy, 59 frames + keyframe, batch after batch
        ev = EvalArgs(max_frames=a.eval_frames, max_new_tokens=a.new_tokens)
        adapter = Adapter("dpo", METHOD, dpo_dir, read_json(dpo_dir/ADAPTER_META))
        prompts = reasonvqa_samples(root, eval_movies + train_movies, METHOD, max_frames=ev.max_frames,
                                    max_segments=segments_cap(ev, adapter.meta), selection=ev.frame_selection,
                                    keyframe=ev.keyframe, hint=ev.hint)
        if {len(s["frames"]) for s in prompts} != {a.eval_frames + 1}:
            raise RuntimeError(f"evaluation prompts hold {sorted({len(s['frames']) for s in prompts})} images, not {a.eval_frames + 1}")
        gen = start_phase()
        t = time.perf_counter()
        bb = Backbone(str(folder), quantization=q.name, dtype=dtype)
        model = bb.activate(adapter)
        _sync()
        gen |= dict(load_seconds=round(time.perf_counter() - t, 2), load=peak(), weights_as_written=loaded_as_written(model, folder),
                    settings=dict(max_frames=ev.max_frames, keyframe=ev.keyframe, hint=ev.hint, selection=ev.frame_selection,
                                  max_segments=segments_cap(ev, adapter.meta), max_new_tokens=ev.max_new_tokens,
                                  batch_sizes=a.batch_sizes, calls_per_batch_size=a.gen_batches, adapter="dpo"))
        if not gen["weights_as_written"]: raise RuntimeError(f"{folder}: the loaded weights are not the ones written")
        counter, rows = TokenCount(model, bb.processor.tokenizer.pad_token_id), []
        for bs in [int(b) for b in a.batch_sizes.split(",")]:
            generate_replies(model, bb.processor, prompts[:bs], max_new_tokens=2) # warm-up at this batch size
            if torch.cuda.is_available(): torch.cuda.reset_peak_memory_stats()
            counter.new = counter.prompt = counter.rows = 0
            t = time.perf_counter()
            for i in range(a.gen_batches):
                generate_replies(model, bb.processor, [prompts[(i*bs + j) % len(prompts)] for j in range(bs)], a.new_tokens)
            _sync()
            secs = time.perf_counter() - t
            row = dict(batch_size=bs, questions=counter.rows, seconds=round(secs, 3),
                       questions_per_second=round(counter.rows / secs, 3), new_tokens=counter.new,
                       tokens_per_second=round(counter.new / secs, 1), prompt_tokens_mean=round(counter.prompt / counter.rows, 1),
                       **peak(), outside_pytorch_gib=outside_pytorch_gib())
            row["peak_allocated_with_load_gib"] = None if row["peak_allocated_gib"] is None else max(row["peak_allocated_gib"], gen["load"]["peak_allocated_gib"])
            row["peak_reserved_with_load_gib"] = None if row["peak_reserved_gib"] is None else max(row["peak_reserved_gib"], gen["load"]["peak_reserved_gib"])
            row["fits_24gib"] = fits(dict(peak_reserved_gib=row["peak_reserved_with_load_gib"], outside_pytorch_gib=row["outside_pytorch_gib"]))
            rows.append(row); log("generate:", row)
        rep["generate"] = gen | dict(batches=rows)
        rep["complete"] = True
        write_json(out, rep, indent=1)
        partial.unlink(missing_ok=True)
        return rep | dict(out=str(out))
    except BaseException as e: # the partial record says where it stopped
        rep["error"] = f"{type(e).__name__}: {e}"[:2000]; save(); raise
    finally:
        if not a.work: shutil.rmtree(work, ignore_errors=True)


def summary(rep:dict) -> str:
    "The record's figures as a small table (GiB are peaks, loading included; '-' where no GPU measured them)."
    g = lambda v: "-" if v is None else f"{v:.2f}"
    env = rep["environment"]
    lines = [f"{rep['settings']['config']} on {env['gpu'] or 'cpu'} ({env['versions']['torch']}, transformers {env['versions']['transformers']}): {rep['out']}",
             f"{'phase':<12}{'allocated':>10}{'reserved':>10}{'load s':>8}{'step s':>8}{'q/s':>8}{'tok/s':>8}  fits 24 GiB"]
    for k in ("sft", "dpo"):
        r = rep[k]
        lines.append(f"{k:<12}{g(r['peak_allocated_gib']):>10}{g(r['peak_reserved_gib']):>10}{r['seconds_to_first_step']:>8.1f}"
                     f"{r['median_step_seconds']:>8.2f}{'':>16}  {r['fits_24gib']}")
    for b in rep["generate"]["batches"]:
        lines.append(f"{'generate ' + str(b['batch_size']):<12}{g(b['peak_allocated_with_load_gib']):>10}{g(b['peak_reserved_with_load_gib']):>10}"
                     f"{rep['generate']['load_seconds']:>8.1f}{b['seconds']:>8.2f}{b['questions_per_second']:>8.2f}{b['tokens_per_second']:>8.1f}  {b['fits_24gib']}")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n".join(__doc__.splitlines()[1:]))
    for f in fields(BenchArgs):
        p.add_argument(f"--{f.name}", type=type(f.default) if f.default is not None else str, default=f.default, help=f.metadata["help"])
    a = BenchArgs(**vars(p.parse_args()))
    if a.config == "7b" and not torch.cuda.is_available(): sys.exit("the 7B shape needs a GPU; --config 7b-shallow or tiny is a CPU dry run")
    print(summary(run(a)))


if __name__ == "__main__":
    main()
