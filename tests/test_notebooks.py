"""Every notebook's inline tests, run by nbdev's own runner (cells flagged with settings.ini's `tst_flags` are skipped);
every notebook opens cleanly in JupyterLab and stays small."""
import json, re
from pathlib import Path

import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_nb  # renamed so pytest does not collect nbdev's function as a test

NBS = sorted((Path(__file__).parent.parent/'nbs').glob('*.ipynb'))

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb):
    ok,secs = run_nb(nb, skip_flags=get_config().tst_flags.split())
    assert ok, f'{nb.name} failed (traceback above)'


KERNELSPEC = {'display_name': 'python3', 'language': 'python', 'name': 'python3'}  # as `nbdev_clean` writes it
MAX_KB = 300
METADATA = {'kernelspec', 'language_info', 'widgets'}

def _language_info() -> dict:
    from ipykernel.ipkernel import IPythonKernel
    return dict(IPythonKernel.language_info)

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook_opens_cleanly(nb):
    "The Python kernel named, its `language_info`, no other notebook metadata but saved widget state, a title and a one-line summary."
    data = json.loads(nb.read_text(encoding='utf-8'))
    assert data['metadata'].get('kernelspec') == KERNELSPEC, f'{nb.name}: kernelspec is {data["metadata"].get("kernelspec")}'
    assert set(data['metadata']) <= METADATA, f'{nb.name}: stray metadata {set(data["metadata"]) - METADATA}'
    info, kernel = data['metadata'].get('language_info', {}), _language_info()
    # the Python version may differ on a contributor's machine; every other field is what the kernel reports
    assert {**info, 'version': None} == {**kernel, 'version': None}, f'{nb.name}: language_info {info}: run `python tools/run_notebooks.py --stamp {nb}`'
    first = next(c for c in data['cells'] if c['cell_type'] == 'markdown')
    assert re.fullmatch(r'# [^#\n][^\n]*\n\n> [^\n]+', ''.join(first['source'])), f'{nb.name}: the first cell is not "# Title" and a "> summary"'


@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook_is_small(nb):
    "Stored outputs stay small: figures at modest dpi, no transcripts of long runs."
    kb = nb.stat().st_size / 1024
    assert kb <= MAX_KB, f'{nb.name} weighs {kb:.0f} KB (at most {MAX_KB} KB): lower its figures\' dpi or trim its outputs'


def test_notebooks_stored_from_one_python():
    "Every notebook's `language_info` names the same Python, so one interpreter opens them all unmodified."
    versions = {nb.stem: json.loads(nb.read_text(encoding='utf-8'))['metadata'].get('language_info', {}).get('version') for nb in NBS}
    assert len(set(versions.values())) == 1, versions
