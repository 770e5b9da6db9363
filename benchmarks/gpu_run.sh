#!/usr/bin/env bash
# benchmarks/gpu_memory.py on a GPU machine without network access, from the repository root:
#
#   bash benchmarks/gpu_run.sh OUT_DIR [gpu_memory.py flags]
#
# Installs the wheels in .whl/ (the packages that machine lacks: TRL, bitsandbytes, fastcore, pysrt, datasets and
# what they need, and the peft the dry runs used; see benchmarks/README.md) into a temporary folder put first on
# PYTHONPATH, records the environment, and runs the benchmark on the 7B shape. Writes into OUT_DIR:
# gpu_memory.json (the record; gpu_memory.partial.json until it is complete), gpu_memory.log, pip_freeze.txt and
# nvidia_smi.txt.
#
# A dry run elsewhere: POVQA_WHEELS_FOR holds pip's flags for the interpreter the wheels are for; they are then only
# checked to install together for it, and the benchmark runs on the local packages, e.g.
#   POVQA_WHEELS_FOR="--python-version 3.12 --implementation cp --abi cp312 --platform manylinux_2_28_x86_64" \
#       bash benchmarks/gpu_run.sh OUT_DIR --config tiny
set -euo pipefail
out=${1:?usage: bash benchmarks/gpu_run.sh OUT_DIR [gpu_memory.py flags]}; shift
mkdir -p "$out"
site=$(mktemp -d)
# shellcheck disable=SC2086 # POVQA_WHEELS_FOR is a list of flags
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$site" \
    ${POVQA_WHEELS_FOR:-} .whl/*.whl
echo "installed $(ls .whl | wc -l) wheels into $site"
if [ -z "${POVQA_WHEELS_FOR:-}" ]; then export PYTHONPATH="$site:$PWD"; else export PYTHONPATH="$PWD"; fi
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false MPLBACKEND=Agg
python3 -m pip list --format=freeze >"$out/pip_freeze.txt" 2>/dev/null || true
nvidia-smi >"$out/nvidia_smi.txt" 2>&1 || echo "no nvidia-smi" >"$out/nvidia_smi.txt"
python3 benchmarks/gpu_memory.py --out "$out/gpu_memory.json" "$@" 2>&1 | tee "$out/gpu_memory.log"
