"""Read models: the tables, the projection that fills them, and the queries."""
