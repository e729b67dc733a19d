"""Storage: the engine, the tables and the repositories. All SQL lives here."""
