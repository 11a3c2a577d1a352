"""Pure functions from a loaded district to what people read.

No file access, no printing: the site, the audit report and the downloads
all render these.
"""
