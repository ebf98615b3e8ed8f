"""Where queries run: the guard (what may reach an engine), the strict SPARQL 1.1 check, the embedded pool or a remote
engine, and answers normalised to standard formats."""
