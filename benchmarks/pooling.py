"""Time one-pass preprocessing with all four pooling methods against decoding alone.

    python benchmarks/pooling.py [--seconds 60] [--repeats 5]

Writes a generated 640x360, 30 fps mp4v video to a temporary folder, then times
  1. decode + resize: read every frame with OpenCV and resize it to 224x224 (area interpolation), nothing else;
  2. preprocessing: `preprocess_movie` with all four methods, writing the pooled JPEGs, metadata and summaries;
each the best of `--repeats` interleaved runs, on one OpenCV thread, and prints both (wall time, and CPU time
summed over threads, which is what one core would need) and their ratios.
The target is a ratio of at most 1.15 (the published code, which decodes once per method, is about 5.4).
"""
import argparse, tempfile, time
from pathlib import Path

import cv2

from povqa.pooling import POOLING_METHODS, resize_frame, synthetic_video
from povqa.preprocess import preprocess_movie


def decode_and_resize(path, size=224):
    "Read every frame of `path` and resize it, as preprocessing does; return the frame count."
    cap,n = cv2.VideoCapture(str(path)),0
    while True:
        ok,frame = cap.read()
        if not ok: break
        resize_frame(frame, size)
        n += 1
    cap.release()
    return n


def best_times(repeats, **fns):
    "Smallest wall and CPU time of each function over `repeats` rounds, interleaved so load changes hit all alike."
    wall,cpu,results = {k: float("inf") for k in fns},{k: float("inf") for k in fns},{}
    for _ in range(repeats):
        for k,fn in fns.items():
            t,c = time.perf_counter(),time.process_time()
            results[k] = fn()
            wall[k],cpu[k] = min(wall[k], time.perf_counter() - t),min(cpu[k], time.process_time() - c)
    return wall,cpu,results


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        video = synthetic_video(tmp / "bench.mp4", seconds=args.seconds, fps=30, size=(640, 360))
        wall,cpu,res = best_times(args.repeats, decode=lambda: decode_and_resize(video),
                                  full=lambda: preprocess_movie(video, tmp / "out", methods=POOLING_METHODS, force=True, progress=False))
    n,res = res["decode"],res["full"]
    print(f"video: {args.seconds:g} s, 640x360, 30 fps, {n} frames; OpenCV threads: 1; best of {args.repeats}")
    print(f"                                      wall       CPU (all threads)")
    print(f"decode + resize:                   {wall['decode']:6.2f} s  {cpu['decode']:6.2f} s   ({1e3 * wall['decode'] / n:.2f} ms/frame)")
    print(f"preprocess, 4 methods, with JPEGs: {wall['full']:6.2f} s  {cpu['full']:6.2f} s   ({res['chunks']} chunks x {len(res['methods'])} methods)")
    print(f"ratio:                             {wall['full'] / wall['decode']:6.2f}x  {cpu['full'] / cpu['decode']:6.2f}x   (target <= 1.15x)")
