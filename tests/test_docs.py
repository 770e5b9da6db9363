"The documentation site builds without Quarto, README.md is what nbs/index.ipynb says, and a real browser renders the pages."
import shutil, subprocess, sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).parent.parent
BROWSER = shutil.which('chromium') or shutil.which('chromium-browser')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
         '--disable-component-update', '--disable-sync', '--hide-scrollbars']


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('site')
    subprocess.run([sys.executable, 'tools/build_docs.py', '--out', str(out), '--check_readme'], cwd=ROOT, check=True)
    return out


def test_every_notebook_has_a_page(site):
    for nb in (ROOT/'nbs').glob('*.ipynb'):
        page = site/f'{nb.stem}.html'
        assert page.is_file(), f'no page for {nb.name}'
        assert '.ipynb"' not in page.read_text(), f'{page.name} links to a notebook instead of its page'


def _browser(*args, tmp):
    if BROWSER is None: pytest.skip('chromium is not installed (CI installs Debian\'s chromium)')
    return subprocess.run([BROWSER, *FLAGS, f'--user-data-dir={tmp}', *args], capture_output=True, text=True, timeout=120)


def test_index_renders_in_a_browser(site, tmp_path):
    dom = _browser('--dump-dom', (site/'index.html').as_uri(), tmp=tmp_path).stdout
    assert '<h1' in dom and 'POVQA workbook' in dom
    for nb in (ROOT/'nbs').glob('[0-9]*.ipynb'): assert f'href="{nb.stem}.html"' in dom, f'no link to {nb.stem}'


def test_pooling_page_shows_its_figures(site, tmp_path):
    page = site/'01_pooling.html'
    if not page.exists(): pytest.skip('the pooling notebook does not exist yet')
    shot = tmp_path/'pooling.png'
    _browser(f'--screenshot={shot}', '--window-size=1200,4000', page.as_uri(), tmp=tmp_path)
    from PIL import Image
    img = np.asarray(Image.open(shot).convert('RGB')).astype(int)
    colourful = (img.max(-1) - img.min(-1)) > 60   # saturated pixels: plots and pooled frames, not text
    assert colourful.mean() > 0.01, 'the pooling page shows no figure'
