"""The notebooks open in JupyterLab, driven by headless Chromium, without a kernel dialog and without being marked
modified: their stored kernelspec and `language_info` are what the kernel reports (see `tools/run_notebooks.py`)."""
import json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BROWSER = shutil.which('chromium') or shutil.which('chromium-browser')
OPENED = ['index', '01_pooling', '12_demo']  # the front page, the chapter with widgets, the one with a stored run
TOKEN = 'povqa-test'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def _wait(url:str, secs:float=90):
    end = time.time() + secs
    while True:
        try: return urllib.request.urlopen(url, timeout=5).read()
        except OSError:
            if time.time() > end: raise
            time.sleep(0.5)


class DevTools:
    "The smallest Chrome DevTools Protocol client: evaluate JavaScript in the browser's first page."
    def __init__(self, port:int):
        import websocket
        pages = [t for t in json.loads(_wait(f'http://127.0.0.1:{port}/json')) if t['type'] == 'page']
        self.ws, self.n = websocket.create_connection(pages[0]['webSocketDebuggerUrl'], timeout=60), 0
    def call(self, method:str, **params) -> dict:
        self.n += 1
        self.ws.send(json.dumps({'id': self.n, 'method': method, 'params': params}))
        while (reply := json.loads(self.ws.recv())).get('id') != self.n: pass
        return reply
    def js(self, expr:str):
        return self.call('Runtime.evaluate', expression=expr, returnByValue=True)['result']['result'].get('value')


_STATE = """(() => {
  const tab = [...document.querySelectorAll('.lm-TabBar-tab')].find(t => t.textContent.includes(%s));
  const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const dialog = document.querySelector('.jp-Dialog');
  return {tab: !!tab, dirty: tab ? tab.classList.contains('jp-mod-dirty') : null,
          kernel: status ? status.getAttribute('data-status') : null, dialog: dialog ? dialog.textContent.slice(0, 200) : null};
})()"""


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    if BROWSER is None: pytest.skip("chromium is not installed (CI installs Debian's chromium)")
    tmp = tmp_path_factory.mktemp('lab')
    work = tmp/'nbs'
    shutil.copytree(ROOT/'nbs', work, ignore=shutil.ignore_patterns('files'))  # JupyterLab may save: never into the checkout
    port, dport = _free_port(), _free_port()
    env = {**os.environ, 'JUPYTER_CONFIG_DIR': str(tmp/'config'), 'JUPYTER_RUNTIME_DIR': str(tmp/'runtime')}
    server = subprocess.Popen([sys.executable, '-m', 'jupyterlab', '--no-browser', f'--port={port}', '--allow-root',
                               f'--IdentityProvider.token={TOKEN}', f'--ServerApp.root_dir={work}'],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    browser = subprocess.Popen([BROWSER, '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
                                f'--remote-debugging-port={dport}', '--remote-allow-origins=*',
                                f'--user-data-dir={tmp/"profile"}', 'about:blank'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(f'http://127.0.0.1:{port}/api?token={TOKEN}')
        yield DevTools(dport), port, work
    finally:
        browser.terminate(); server.terminate(); browser.wait(30); server.wait(30)


@pytest.mark.parametrize('name', OPENED)
def test_notebook_opens_unmodified(lab, name):
    "Open the notebook, wait for its kernel to be idle and the page to settle: no dialog, no modified mark, file as stored."
    dev, port, work = lab
    before = (work/f'{name}.ipynb').read_bytes()
    dev.call('Page.navigate', url=f'http://127.0.0.1:{port}/lab/tree/{name}.ipynb?token={TOKEN}&reset')
    end, state = time.time() + 120, None
    while time.time() < end:
        state = dev.js(_STATE % json.dumps(f'{name}.ipynb'))
        if state and state['tab'] and (state['dialog'] or state['kernel'] == 'idle'): break
        time.sleep(0.5)
    assert state and state['tab'] and state['kernel'] == 'idle', f'{name}: JupyterLab did not open it with an idle kernel: {state}'
    assert state['dialog'] is None, f'{name}: JupyterLab opened a dialog: {state["dialog"]}'
    time.sleep(3)  # metadata updates (kernelspec, language_info) arrive after the kernel's info reply
    state = dev.js(_STATE % json.dumps(f'{name}.ipynb'))
    assert state['dirty'] is False, f'{name}: JupyterLab marks it modified on open (run `python tools/run_notebooks.py --stamp nbs/*.ipynb`)'
    assert (work/f'{name}.ipynb').read_bytes() == before
