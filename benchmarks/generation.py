"""Questions per second of batched greedy generation (`povqa.evaluate.generate_replies`) on the tiny backbone.

    python benchmarks/generation.py [--batch_sizes 1,4,8] [--questions 16] [--max_new_tokens 32] [--threads 1]

Builds the tiny offline Qwen2.5-VL and a synthetic ReasonVQA movie in a temporary folder (or uses `--model` and
`--data`), makes the evaluation prompts (59 frames + keyframe + hint, as evaluation does), and times the same
questions at each batch size after one warm-up batch. The tiny model's random weights rarely emit an end of turn,
so every reply runs to `--max_new_tokens` and batch sizes are compared on equal work. A benchmark, not a test.
"""
import argparse, shutil, tempfile, time
from pathlib import Path

import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--batch_sizes', default='1,4,8', help='comma-separated batch sizes to time')
    ap.add_argument('--questions', type=int, default=16, help='questions answered at each batch size')
    ap.add_argument('--max_new_tokens', type=int, default=32, help='new tokens per reply')
    ap.add_argument('--max_frames', type=int, default=59, help='pooled frames per prompt (the keyframe comes on top)')
    ap.add_argument('--threads', type=int, default=1, help='torch CPU threads')
    ap.add_argument('--model', default=None, help='backbone folder (default: build the tiny one)')
    ap.add_argument('--data', default=None, help='preprocessed ReasonVQA root (default: a synthetic one)')
    ap.add_argument('--method', default='weighted_average', help='pooling method of the frames')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    tmp = Path(tempfile.mkdtemp(prefix='povqa_bench_'))
    try: run(args, tmp)
    finally: shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp:Path):
    from povqa.backbone import build_tiny_backbone, load_backbone
    from povqa.data import split_movies
    from povqa.evaluate import generate_replies
    from povqa.prompts import reasonvqa_samples

    model_path = args.model or build_tiny_backbone(tmp/'tiny-qwen2.5-vl')
    root = Path(args.data) if args.data else None
    if root is None:
        from povqa.preprocess import preprocess_reasonvqa_root
        from povqa.synthetic import make_synthetic
        movie_seconds = 6 * max(args.questions, 1)                      # one question per 6 s scene
        make_synthetic(tmp/'data', movies=2, movie_seconds=movie_seconds, clips_per_show=(1, 0, 0), clip_seconds=6)
        root = tmp/'data'/'reasonvqa'
        preprocess_reasonvqa_root(root, methods=(args.method,), progress=False)
    train, evaluation = split_movies(root/'annotations')
    samples = reasonvqa_samples(root, evaluation + train, args.method, max_frames=args.max_frames)[:args.questions]
    model, processor = load_backbone(model_path)
    images = sum(len(s['frames']) for s in samples) / len(samples)
    print(f"{len(samples)} questions, {images:.1f} images each, {args.max_new_tokens} new tokens, "
          f"{torch.get_num_threads()} thread(s), {model.device}")
    print(f"{'batch size':>10} {'seconds':>8} {'questions/s':>12}")
    for bs in [int(b) for b in args.batch_sizes.split(',')]:
        generate_replies(model, processor, samples[:bs], args.max_new_tokens)      # warm-up
        t0 = time.perf_counter()
        for i in range(0, len(samples), bs): generate_replies(model, processor, samples[i:i+bs], args.max_new_tokens)
        dt = time.perf_counter() - t0
        print(f"{bs:>10} {dt:>8.2f} {len(samples)/dt:>12.2f}")


if __name__ == '__main__':
    main()
