#!/usr/bin/env bash
# Install everything into .venv, then run the whole pipeline on the embedded synthetic dataset (povqa_demo).
# Extra arguments go to povqa_demo (e.g. `tools/demo.sh --root /tmp/povqa-demo`).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install.sh
.venv/bin/povqa_demo "$@"
