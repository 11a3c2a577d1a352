"""The residents' portal: a mkdocs plugin that turns a loaded district into pages.

Only this package imports mkdocs; it reads the district through
`sunledger.district` and `sunledger.views`, never the files themselves.
"""
