"""Sphinx configuration of the documentation site; `tools/build_docs.py` fills in the project's name and runs it.

The pages are notebooks that nbdev has processed and the build has prepared (see `tools/build_docs.py`): MyST-NB
renders their stored outputs without executing anything, and the book theme gives the sidebar of chapters (from the
hidden table of contents on the front page), the search box and each page's table of contents.
"""
from latex2mathml.converter import convert
from docutils import nodes

extensions = ['myst_nb']
root_doc = 'index'
exclude_patterns = ['_build', '**.ipynb_checkpoints']

nb_execution_mode = 'off'            # the notebooks carry their outputs; a build never runs them
nb_ipywidgets_js = {}                # widgets are drawn from their saved state at build time: no script from outside
nb_output_stderr = 'remove'          # warnings and progress bars of a notebook's run are not part of the page
myst_enable_extensions = ['dollarmath', 'colon_fence', 'attrs_inline']
myst_all_links_external = True       # the build has already pointed every link at its page or file
myst_heading_anchors = 0

html_theme = 'sphinx_book_theme'
html_theme_options = {
    'show_toc_level': 2,
    'use_download_button': False,
    'use_fullscreen_button': False,
    'home_page_in_toc': True,
    'navigation_with_keys': False,
}
html_static_path = ['_static']
html_css_files = ['povqa.css']
html_copy_source = False
html_show_sourcelink = False
html_show_sphinx = False
html_last_updated_fmt = None
html_math_renderer = 'mathml'


def _inline_math(self, node):
    self.body.append(convert(node.astext()))
    raise nodes.SkipNode

def _block_math(self, node):
    self.body.append(f'<div class="math">{convert(node.astext(), display="block")}</div>')
    raise nodes.SkipNode

def setup(app):
    "Math as MathML, which browsers draw themselves: the pages need no script from outside to show a formula."
    app.add_html_math_renderer('mathml', (_inline_math, None), (_block_math, None))
