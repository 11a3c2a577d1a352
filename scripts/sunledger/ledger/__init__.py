"""The ledger side: which fund and role each account has, and loading."""
