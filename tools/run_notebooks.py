"""Execute notebooks in place, keeping their outputs (figures, tables) for readers and the docs site.

Cells that `nbdev_test` skips (flags listed in settings.ini's `tst_flags`, such as `#| slow` and `#| cuda`, and
`#| eval: false`) are skipped here too, so a notebook renders on a machine without a GPU. The state of the widgets
the notebook shows is saved in its metadata, as JupyterLab saves it, so that they show without a kernel (the
documentation site draws them from it). The notebook's `language_info` is the one its kernel reports, so JupyterLab
opens it without marking it modified (`--stamp` writes only that, without executing).

    python tools/run_notebooks.py nbs/01_pooling.ipynb [more notebooks...] [--flags slow] [--stamp]
"""
import argparse, os, sys
from pathlib import Path

from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.basics import AttrDict
from fastcore.xtras import working_directory
from nbdev.config import get_config
from nbdev.process import extract_directives


def skipped(cell, skip_flags:set) -> bool:
    "Whether `nbdev_test` would skip this cell."
    if cell.cell_type != 'code': return True
    if 'nbdev_export(' in cell.source: return True
    direc = extract_directives(AttrDict(source=cell.source), remove=False)
    if direc.get('eval:', [''])[0].lower() == 'false': return True
    return bool(skip_flags & direc.keys())


WIDGET_VIEW, WIDGET_STATE = 'application/vnd.jupyter.widget-view+json', 'application/vnd.jupyter.widget-state+json'

def widget_state(nb) -> dict:
    "The saved state of the widgets that `nb`'s outputs show, with every widget they contain (empty if none)."
    views = [o['data'][WIDGET_VIEW]['model_id'] for c in nb.cells for o in c.get('outputs', []) if WIDGET_VIEW in o.get('data', {})]
    if not views: return {}
    from ipywidgets.embed import dependency_state
    from ipywidgets.widgets.widget import _instances
    return {'version_major': 2, 'version_minor': 0, 'state': dependency_state([_instances[v] for v in views], drop_defaults=True)}


def language_info() -> dict:
    "What this interpreter's IPython kernel reports as `language_info`, which JupyterLab writes into a notebook it opens."
    from ipykernel.ipkernel import IPythonKernel
    return dict(IPythonKernel.language_info)


def stamp(nb):
    "Give `nb` the `language_info` its kernel will report (JupyterLab marks a notebook modified when they differ)."
    nb.metadata['language_info'] = language_info()


def run_notebook(path:Path, skip_flags:set):
    "Execute `path` top to bottom and write it back with its outputs."
    nb = read_nb(path)
    for cell in nb.cells:
        if cell.cell_type == 'code' and skipped(cell, skip_flags): cell.outputs = []
    shell = CaptureShell(path, mpl_format='png')  # plain PNG: retina doubles every committed figure
    with working_directory(path.parent):
        shell.run_all(nb, exc_stop=True, preproc=lambda c: skipped(c, skip_flags))
    nb.metadata.pop('widgets', None)
    if state := widget_state(nb): nb.metadata['widgets'] = {WIDGET_STATE: state}
    stamp(nb)
    write_nb(nb, path)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('notebooks', nargs='+', type=Path)
    parser.add_argument('--flags', default='', help='test flags to run this time (space separated)')
    parser.add_argument('--stamp', action='store_true', help='only write the kernel\'s language_info, without executing')
    args = parser.parse_args()
    os.environ.setdefault('MPLBACKEND', 'Agg')
    skip = set(get_config().tst_flags.split()) - set(args.flags.split())
    for nb_path in args.notebooks:
        if args.stamp:
            nb = read_nb(nb_path); stamp(nb); write_nb(nb, nb_path); continue
        print(f'running {nb_path}', file=sys.stderr)
        run_notebook(nb_path.resolve(), skip)
