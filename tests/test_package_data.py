"The tiny tokenizer's corpus ships with the package: a wheel built from the project holds it, and the installed package reads it."
import os, shutil, subprocess, sys, zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
CORPUS = sorted(p.name for p in (ROOT/'povqa'/'corpus').glob('*.txt'))


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    "A wheel built, offline, from a copy of the files a release is built from."
    src, out = tmp_path_factory.mktemp('src'), tmp_path_factory.mktemp('wheel')
    for name in ('setup.py', 'settings.ini', 'README.md', 'MANIFEST.in'): shutil.copy(ROOT/name, src/name)
    shutil.copytree(ROOT/'povqa', src/'povqa', ignore=shutil.ignore_patterns('__pycache__'))
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w', str(out), str(src)],
                   check=True, capture_output=True)
    return next(out.glob('povqa-*.whl'))


def test_wheel_holds_the_corpus(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert CORPUS == ['english.txt', 'prompt_words.txt', 'words.txt']
    for name in CORPUS: assert f'povqa/corpus/{name}' in names, name


def test_installed_package_reads_its_corpus(wheel, tmp_path):
    site = tmp_path/'site'
    subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-deps', '--no-compile', '-q', '--target', str(site), str(wheel)],
                   check=True, capture_output=True)
    code = ('import povqa.backbone as b; print(b.__file__); '
            'print(b._corpus_file("english") == open(b.__file__.replace("backbone.py", "corpus/english.txt")).read().splitlines()); '
            'print(len(b._tokenizer_corpus()))')
    env = {**os.environ, 'PYTHONPATH': str(site), 'HF_HUB_OFFLINE': '1'}
    res = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    file, same, n_lines = res.stdout.split()[-3:]
    assert Path(file).is_relative_to(site), file  # the installed copy, not the source tree
    assert same == 'True' and int(n_lines) > 300
