"""Integrity of the ledger: signing keys and RFC 9162 Merkle trees."""
