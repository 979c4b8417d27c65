"""The ledger's domain: aggregates, events and value objects. No I/O."""
