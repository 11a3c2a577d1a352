"""阳光账本 sunledger: community fund ledgers checked and published."""

__version__ = "0.1.0"
