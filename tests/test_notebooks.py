"Every notebook's inline tests, run by nbdev's own runner (cells flagged with settings.ini's `tst_flags` are skipped)."
from pathlib import Path

import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_nb  # renamed so pytest does not collect nbdev's function as a test

NBS = sorted((Path(__file__).parent.parent/'nbs').glob('*.ipynb'))

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb):
    ok,secs = run_nb(nb, skip_flags=get_config().tst_flags.split())
    assert ok, f'{nb.name} failed (traceback above)'
