"The documentation site builds without Quarto, README.md is what nbs/index.ipynb says, and a real browser renders the pages."
import re, shutil, subprocess, sys
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


def _screenshot(page:Path, tmp:Path) -> np.ndarray:
    from PIL import Image
    shot = tmp/f'{page.stem}.png'
    _browser(f'--screenshot={shot}', '--window-size=1200,6000', page.as_uri(), tmp=tmp/'profile')
    return np.asarray(Image.open(shot).convert('RGB')).astype(int)


def test_pooling_page_shows_its_figures(site, tmp_path):
    page = site/'01_pooling.html'
    html = page.read_text()
    assert html.count('<img') >= 2, 'the pooling page lost its figures'
    bare = site/'01_pooling_without_figures.html'
    bare.write_text(re.sub(r'<img[^>]*>', '', html))
    shown, without = _screenshot(page, tmp_path), _screenshot(bare, tmp_path)
    changed = (np.abs(shown - without).sum(-1) > 30).mean()
    assert changed > 0.02, f'the figures change only {changed:.1%} of the rendered page: they do not show'
