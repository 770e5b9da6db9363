#!/usr/bin/env bash
# Install everything into .venv, then run every test: each notebook through nbdev's runner and tests/.
# Extra arguments go to pytest (e.g. `tools/test.sh -k 01_pooling`).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install.sh
.venv/bin/python -m pytest tests "$@"
