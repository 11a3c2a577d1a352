"""Each file's bytes read once while one build works out its keys and checksums.

A build reads each fund's ledger files for the fund's cache key (checkcache), for
the include lines the key follows (ledger/includes.py) and for the district's
checksum: on a 200-fund district 13,000 files, three times, most of a rebuild
after a one-line edit spent opening files. Held only as long as the caller
keeps the object, never across builds: a file that changes is read anew next time.
"""

from __future__ import annotations


class ReadOnce:
    def __init__(self) -> None:
        self.seen: dict[str, bytes] = {}

    def __call__(self, path: str) -> bytes:
        data = self.seen.get(path)
        if data is None:
            with open(path, "rb") as f:
                data = f.read()
            self.seen[path] = data
        return data


def read(path: str) -> bytes:
    """A file's bytes, read now (where no ReadOnce is given)."""
    with open(path, "rb") as f:
        return f.read()
