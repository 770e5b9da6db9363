"""The documentation site builds without Quarto, README.md is what nbs/index.ipynb says, and a real browser (headless
Chromium) finds every chapter in the sidebar in reading order, finds API entries by search, shows every figure and the
pooling explorer, and follows no link to nowhere."""
import functools, html, http.server, json, re, shutil, subprocess, sys, tempfile, threading, uuid
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
from filelock import FileLock
from nbdev.config import get_config

ROOT = Path(__file__).parent.parent
BROWSER = shutil.which('chromium') or shutil.which('chromium-browser')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
         '--disable-component-update', '--disable-sync', '--hide-scrollbars']


@pytest.fixture(scope='session')
def site(tmp_path_factory, worker_id):
    "The site, built once for all test workers (nbdev's processing writes one `_proc/` per checkout)."
    shared = tmp_path_factory.getbasetemp() if worker_id == 'master' else tmp_path_factory.getbasetemp().parent
    out = shared/'site'
    with FileLock(shared/'site.lock'):
        if not (out/'index.html').is_file():
            subprocess.run([sys.executable, 'tools/build_docs.py', '--out', str(out), '--check_readme'], cwd=ROOT, check=True)
    return out


def _scratch(page:Path, suffix:str='') -> Path:
    "A file beside `page` for one test's variant of it (the pages' relative links keep working; no test sees another's)."
    return page.with_name(f'scratch-{uuid.uuid4().hex[:8]}-{page.stem}{suffix}.html')


def chapters() -> list:
    "(page, title) of every notebook in reading order: the front page, the protocol, then the numbered chapters."
    nbs = sorted((ROOT/'nbs').glob('*.ipynb'), key=lambda p: (p.stem != 'index', p.stem[0].isdigit(), p.stem))
    def title(nb):
        first = next(c for c in json.loads(nb.read_text(encoding='utf-8'))['cells'] if c['cell_type'] == 'markdown')
        return ''.join(first['source']).splitlines()[0].removeprefix('# ')
    return [(re.sub(r'^\d+[a-zA-Z0-9]*_', '', nb.stem), title(nb)) for nb in nbs]


def _browser(*args, tmp:Path) -> str:
    if BROWSER is None: pytest.skip("chromium is not installed (CI installs Debian's chromium)")
    profile = tempfile.mkdtemp(dir=tmp)
    return subprocess.run([BROWSER, *FLAGS, f'--user-data-dir={profile}', *args], capture_output=True, text=True, timeout=120).stdout


_PROBE = ('<script>addEventListener("load", () => setTimeout(() => {{ const out = document.createElement("pre");'
          ' out.id = "probe"; out.textContent = JSON.stringify(({js})()); document.body.append(out); }}, 200));</script>')

def _probe(page:Path, js:str, tmp:Path):
    "What the JavaScript function `js` returns in `page` once the browser has loaded it (images, styles, scripts)."
    probe = _scratch(page)
    probe.write_text(page.read_text(encoding='utf-8').replace('</body>', _PROBE.format(js=js) + '</body>'), encoding='utf-8')
    try: dom = _browser('--virtual-time-budget=5000', '--dump-dom', probe.as_uri(), tmp=tmp)
    finally: probe.unlink()
    found = re.search(r'<pre id="probe"[^>]*>(.*?)</pre>', dom, re.S)  # the theme adds attributes to every <pre>
    assert found, f'{page.name} did not finish loading in the browser'
    return json.loads(html.unescape(found[1]))


def test_every_notebook_has_its_page(site):
    for page,_ in chapters():
        assert (site/f'{page}.html').is_file(), f'no page {page}.html'
    assert not list(site.glob('[0-9]*.html')), 'pages keep the notebooks\' numbers: nbdev names them without'


SIDEBAR = '() => [...document.querySelectorAll("nav.bd-docs-nav a")].map(a => [a.getAttribute("href"), a.textContent.trim()])'

@pytest.mark.parametrize('page', ['index', 'pooling'])
def test_sidebar_lists_every_chapter_in_order(site, tmp_path, page):
    links = _probe(site/f'{page}.html', SIDEBAR, tmp_path)
    titles = [t for _,t in links]
    assert titles == [t for _,t in chapters()], f'the sidebar of {page}.html lists {titles}'
    for (href,_),(target,_) in zip(links, chapters()):
        assert href in (f'{target}.html', '#' if target == page else None), f'{page}.html: {href} for {target}'


PAGE_TOC = '() => [...document.querySelectorAll("#pst-page-toc-nav a")].map(a => a.textContent.trim())'

def test_pooling_page_has_its_table_of_contents(site, tmp_path):
    toc = _probe(site/'pooling.html', PAGE_TOC, tmp_path)
    for entry in ('Names and constants', 'One pass for all four', 'PoolingStream', 'PoolingExplorer'): assert entry in toc, toc


def test_search_finds_an_api_entry(site, tmp_path):
    with _served(site) as url:
        dom = _browser('--virtual-time-budget=10000', '--dump-dom', f'{url}/search.html?q=PoolingStream', tmp=tmp_path)
    results = re.search(r'<ul[^>]*class="search"[^>]*>(.*?)</ul>', dom, re.S)
    assert results, 'the search page shows no results for PoolingStream'
    assert 'href="pooling.html#poolingstream"' in results[1], 'search does not lead to the PoolingStream entry'
    assert 'class="context"' in results[1], 'search results show no excerpt of the pages'


@contextmanager
def _served(site:Path):
    "The site over HTTP on 127.0.0.1 (a free port), as a reader's browser would fetch it, while the block runs."
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try: yield f'http://127.0.0.1:{server.server_port}'
    finally: server.shutdown(); server.server_close()


BROKEN_IMAGES = '() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)'

def test_every_image_loads(site, tmp_path):
    for page,_ in chapters():
        broken = _probe(site/f'{page}.html', BROKEN_IMAGES, tmp_path)
        assert not broken, f'{page}.html: images that do not load: {broken[:3]}'


def _screenshot(page:Path, tmp:Path) -> np.ndarray:
    from PIL import Image
    shot = tmp/f'{page.stem}.png'
    _browser(f'--screenshot={shot}', '--window-size=1200,6000', page.as_uri(), tmp=tmp)
    return np.asarray(Image.open(shot).convert('RGB')).astype(int)


def test_pooling_page_shows_its_figures(site, tmp_path):
    page = site/'pooling.html'
    text = page.read_text(encoding='utf-8')
    assert len(re.findall(r'<img[^>]*src="_images/', text)) >= 2, 'the pooling page lost its figures'
    bare = _scratch(page, '-without-figures')
    bare.write_text(re.sub(r'<img[^>]*>', '', text), encoding='utf-8')
    try: shown,without = _screenshot(page, tmp_path),_screenshot(bare, tmp_path)
    finally: bare.unlink()
    changed = (np.abs(shown - without).sum(-1) > 30).mean()
    assert changed > 0.02, f'the figures change only {changed:.1%} of the rendered page: they do not show'


EXPLORER = '''() => { const w = document.querySelector(".widget-still"); if (!w) return null;
  const r = w.getBoundingClientRect();
  return {width: r.width, height: r.height, text: w.innerText,
          images: [...w.querySelectorAll("img")].map(i => [i.naturalWidth, i.getBoundingClientRect().height])}; }'''

def test_pooling_explorer_shows(site, tmp_path):
    "The explorer of 01_pooling shows from its saved state: its controls, its raw frames and its pooled image."
    explorer = _probe(site/'pooling.html', EXPLORER, tmp_path)
    assert explorer is not None, 'the pooling page does not show the explorer (is its widget state saved in 01_pooling?)'
    assert explorer['height'] > 200 and explorer['width'] > 400, f'the explorer is drawn {explorer["width"]}x{explorer["height"]}'
    for word in ('method', 'frames/chunk', 'raw frames of the chunk', 'pooled'): assert word in explorer['text']
    assert len(explorer['images']) == 2 and all(w > 0 and h > 30 for w,h in explorer['images']), explorer['images']


def test_api_entries_in_definition_order_with_parameter_tables(site):
    text = (site/'pooling.html').read_text(encoding='utf-8')
    source = (ROOT/'povqa/pooling.py').read_text(encoding='utf-8')
    names = ['truncate_to_uint8', 'as_chunk', 'pool_frames']  # the page must list them in the order the module defines them
    defined = sorted(names, key=lambda n: source.index(f'\ndef {n}('))
    shown = sorted(names, key=lambda n: text.index(f'<section id="{n.replace("_", "-")}">'))
    assert shown == defined, f'the entries show as {shown}; the module defines them as {defined}'
    entry = text[text.index('<section id="resolve-methods">'):]
    entry = entry[:entry.index('</section>')]
    assert '<table' in entry and 'Default' in entry and 'Details' in entry, 'resolve_methods has no parameter table'
    assert re.search(r'<a class="[^"]*api-source[^"]*" href="_modules/povqa/pooling.html#L-\d+"', entry), 'no source link'
    assert '<span class="k">def</span>' in entry or 'class="highlight' in entry, 'the signature is not highlighted'


PROMPT = re.compile(r'\b(In|Out)\s?\[\s*\d*\s*\]:')

def test_pages_show_no_notebook_prompts(site):
    for page in (p for p in site.glob('*.html') if not p.name.startswith('scratch-')):
        text = re.sub(r'<[^>]+>', '', page.read_text(encoding='utf-8'))
        assert not PROMPT.search(text), f'{page.name} shows notebook prompts: {PROMPT.search(text)[0]}'


class _Links(HTMLParser):
    "Every link (`href`, `src`) of a page, by the tag it sits on, and every `id` it defines."
    def __init__(self):
        super().__init__()
        self.links,self.ids = [],set()
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if 'id' in attrs: self.ids.add(attrs['id'])
        if tag == 'a' and 'name' in attrs: self.ids.add(attrs['name'])
        for key in ('href', 'src'):
            if attrs.get(key) is not None: self.links.append((tag, attrs[key]))


def _parse(page:Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding='utf-8'))
    return parser


def test_no_dead_local_link(site):
    "Every link of every page resolves inside the site, fragment included; nothing is loaded from outside it."
    cfg = get_config()
    pages = {p: _parse(p) for p in site.rglob('*.html')  # not the theme's own files, nor the tests' scratch pages
             if '_static' not in p.relative_to(site).parts and not p.name.startswith('scratch-')}
    dead = []
    for page,parsed in pages.items():
        for tag,link in parsed.links:
            url = urlsplit(link)
            if url.scheme in ('data', 'mailto', 'javascript'): continue
            if url.scheme or link.startswith('//'):
                assert tag == 'a', f'{page.relative_to(site)} loads {link} from outside the site'
                assert not link.startswith((cfg.doc_host, cfg.git_url)), f'{page.relative_to(site)} links to {link}, which does not exist'
                continue
            target = (page.parent/unquote(url.path)).resolve() if url.path else page
            if target.is_dir(): target = target/'index.html'
            if not target.is_file(): dead.append(f'{page.relative_to(site)}: {link}')
            elif url.fragment and target.suffix == '.html' and url.fragment not in pages[target].ids:
                dead.append(f'{page.relative_to(site)}: {link} (no such anchor)')
    assert not dead, f'{len(dead)} dead links, e.g. ' + '; '.join(dead[:8])


def test_readme_links_into_nbs():
    readme = (ROOT/'README.md').read_text(encoding='utf-8')
    assert 'git clone' not in readme, 'the README invents a clone URL'
    for link in re.findall(r'\]\(([^)]+)\)', readme):
        if '://' in link: continue
        assert (ROOT/link.split('#')[0]).is_file(), f'README.md links to {link}, which is not in the repository'
