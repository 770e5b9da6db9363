#!/usr/bin/env bash
# Create .venv (if missing) and install the workbook with its development tools.
# The installed project is editable, so `povqa_*` commands and `import povqa` follow the notebooks.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
# The notebooks' kernel, named as `nbdev_clean` writes it (display name = name), so JupyterLab opens them unmodified.
.venv/bin/python -m ipykernel install --sys-prefix --name python3 --display-name python3 >/dev/null
