"""Stage 7, store and query: the build loaded into pyoxigraph (in memory or on disk), killable query processes, the
competency questions and their expected results, result formats, labels; publishing to another store. Query
processes import from here: no rdflib, no pandas."""
