"""The service layer: the eventsourcing Application and the planning of writes."""
