"""Time one-pass preprocessing against decoding the same video, and preprocessing several movies with 1 or 2 workers.

    python benchmarks/pooling.py [--seconds 30,60,120] [--rounds 5] [--variant_seconds 60] [--native 480]
                                 [--movies 4] [--movie_seconds 30] [--workers 1,2] [--against OTHER/povqa]

Writes generated 30 fps mp4v videos to a temporary folder (640x360, and a square `--native` x `--native` one), then
times, on one OpenCV thread:
  1. decode + resize: read every frame with OpenCV and resize it to the output size (area interpolation), nothing
     else; at the video's native size the resize is a copy. This is the floor: preprocessing has to do it too;
  2. `preprocess_movie` with all four methods, and with one (`--one`), writing the pooled JPEGs, metadata and
     summaries: at 224 px from the 640x360 video for every length of `--seconds`, and at 224 px and at the native
     size of the square video for `--variant_seconds`;
  3. with `--against`, the same runs with another copy of the package (a `povqa` folder, e.g. an older checkout's),
     interleaved with these ones: an A/B comparison on a machine whose load changes;
  4. `preprocess_reasonvqa_root` over `--movies` movies with each number of `--workers`.
Runs are interleaved in `--rounds` rounds (the order reversed every other round), and every ratio is taken within
a round, between runs seconds apart, so a change of load hits both sides alike; the table gives the median and
the range over rounds, of CPU time (summed over threads: what one core would need) and of wall time, and the CPU
time preprocessing adds to each frame above the floor (which depends much less than the ratio on how fast the
machine decodes).
The target is a ratio of at most 1.15 for all four methods at 224 px (the published code, which decodes once per
method, is about 5.4).
"""
import argparse, importlib.util, os, statistics, sys, tempfile, time
from pathlib import Path

import cv2

import povqa
from povqa.pooling import POOLING_METHODS, synthetic_video


def load_package(folder, name="povqa_against"):
    "Import another copy of the `povqa` package (a folder) under another name, beside this one."
    folder = Path(folder)
    spec = importlib.util.spec_from_file_location(name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return importlib.import_module(f"{name}.preprocess")


def decode_and_resize(path, size=None):
    "Read every frame of `path` and resize it to `size` x `size` (None: the frame's own size), as preprocessing does."
    cap,n = cv2.VideoCapture(str(path)),0
    while True:
        ok,frame = cap.read()
        if not ok: break
        s = size or frame.shape[1]
        cv2.resize(frame, (s, s), interpolation=cv2.INTER_AREA)
        n += 1
    cap.release()
    return n


def timed(fn):
    "(wall seconds, CPU seconds of this process's threads, result) of `fn()`."
    t,c = time.perf_counter(),time.process_time()
    res = fn()
    return time.perf_counter() - t,time.process_time() - c,res


def rounds(n, jobs):
    "Run every job of `jobs` (name -> function) once per round, the order reversed every other round; times per name."
    times,names = {k: [] for k in jobs},list(jobs)
    for r in range(n):
        for k in (names if r % 2 == 0 else names[::-1]):
            wall,cpu,_ = timed(jobs[k])
            times[k].append((wall, cpu))
        print(f"  round {r + 1}/{n} done", file=sys.stderr)
    return times


def spread(xs):
    "Median and range of a list of numbers, as text."
    return f"{statistics.median(xs):5.2f} ({min(xs):.2f} to {max(xs):.2f})"


def ratios(times, num, den, i):
    "Ratios num/den within each round of time `i` (0 wall, 1 CPU)."
    return [a[i] / b[i] for a,b in zip(times[num], times[den])]


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", default="30,60,120", help="lengths of the 640x360 video, comma-separated")
    p.add_argument("--variant_seconds", type=float, default=60, help="length at which one method and native size are timed (0: skip)")
    p.add_argument("--native", type=int, default=480, help="side of the square video timed at its native size")
    p.add_argument("--one", default="weighted_average_exponential", help="the method of the one-method runs")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--movies", type=int, default=4, help="movies preprocessed with each number of workers (0: skip)")
    p.add_argument("--movie_seconds", type=float, default=30)
    p.add_argument("--workers", default="1,2")
    p.add_argument("--against", default=None, help="another copy of the povqa package folder to compare with")
    args = p.parse_args()
    cv2.setNumThreads(1)
    from povqa.preprocess import preprocess_movie, preprocess_reasonvqa_root
    versions = {"": preprocess_movie}
    if args.against: versions[" (against)"] = load_package(args.against).preprocess_movie
    lengths = [float(s) for s in args.seconds.split(",") if s.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        jobs,rows = {},[]   # rows: (label, job name, decode job name, frames)
        def add(label, video, size, methods, seconds):
            dec = f"decode {video.name} {size}"
            jobs.setdefault(dec, lambda v=video, s=size: decode_and_resize(v, None if s == "native" else s))
            for tag,fn in versions.items():
                name = f"{label}{tag}"
                jobs[name] = lambda fn=fn, v=video, m=methods, s=size, name=name: fn(
                    v, tmp / "out" / name.replace(" ", "_"), methods=m, size=args.native if s == "native" else s, force=True, progress=False)
                rows.append((name, name, dec, int(round(seconds * 30))))
        for s in lengths:
            add(f"{s:g} s, 4 methods, 224 px", synthetic_video(tmp / f"v{s:g}.mp4", seconds=s, fps=30, size=(640, 360)), 224, POOLING_METHODS, s)
        if args.variant_seconds:
            s = args.variant_seconds
            v = tmp / f"v{s:g}.mp4"
            if not v.exists(): synthetic_video(v, seconds=s, fps=30, size=(640, 360))
            add(f"{s:g} s, 1 method, 224 px", v, 224, [args.one], s)
            sq = synthetic_video(tmp / f"sq{s:g}.mp4", seconds=s, fps=30, size=(args.native, args.native))
            add(f"{s:g} s, 4 methods, native", sq, "native", POOLING_METHODS, s)
            add(f"{s:g} s, 1 method, native", sq, "native", [args.one], s)
        print(f"povqa from {Path(povqa.__file__).parent}" + (f", against {args.against}" if args.against else ""))
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start; OpenCV threads: 1; "
              f"{args.rounds} rounds; videos 30 fps mp4v, 640x360 (224 px) and {args.native}x{args.native} (native)")
        times = rounds(args.rounds, jobs)
        print(f"\n{'run':38s} {'frames':>6s}  {'decode ms/frame':>15s}  {'ratio, CPU: median (range)':>27s}  {'ratio, wall':>20s}"
              f"  {'above the floor, CPU ms/frame':>29s}")
        for label,name,dec,n in rows:
            d = statistics.median(c for _,c in times[dec]) * 1e3 / n
            extra = [(a[1] - b[1]) * 1e3 / n for a,b in zip(times[name], times[dec])]   # what pooling adds to each frame
            print(f"{label:38s} {n:6d}  {d:15.2f}  {spread(ratios(times, name, dec, 1)):>27s}  {spread(ratios(times, name, dec, 0)):>20s}"
                  f"  {spread(extra):>29s}")
        if args.against:
            print(f"\n{'this version / against, same round':38s} {'':6s}  {'':15s}  {'CPU':>27s}  {'wall':>20s}")
            for label,name,dec,n in rows:
                if name.endswith("(against)"): continue
                print(f"{label:38s} {'':6s}  {'':15s}  {spread(ratios(times, name, name + ' (against)', 1)):>27s}  "
                      f"{spread(ratios(times, name, name + ' (against)', 0)):>20s}")

        if args.movies:
            root = tmp / "movies"; (root / "videos").mkdir(parents=True)
            for i in range(args.movies):
                synthetic_video(root / "videos" / f"movie{i}.mp4", seconds=args.movie_seconds, fps=30, size=(640, 360), seed=i)
            counts = [int(w) for w in args.workers.split(",")]
            wjobs = {w: (lambda w=w: preprocess_reasonvqa_root(root, workers=w, force=True, progress=False)) for w in counts}
            wt = rounds(args.rounds, wjobs)
            one = statistics.median(t for t,_ in wt[counts[0]])
            print(f"\n{args.movies} movies of {args.movie_seconds:g} s (640x360, 4 methods, 224 px), wall time, median (range) of {args.rounds}:")
            print(f"{'workers':>8s}  {'wall s':>20s}  {'movies/min':>10s}  {'speed-up over ' + str(counts[0]):>16s}")
            for w in counts:
                ts = [t for t,_ in wt[w]]
                print(f"{w:8d}  {spread(ts):>20s}  {60 * args.movies / statistics.median(ts):10.1f}  "
                      f"{spread([a[0] / b[0] for a,b in zip(wt[counts[0]], wt[w])]):>16s}")
