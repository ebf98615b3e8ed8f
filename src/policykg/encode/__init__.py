"""Stage 3, encode: one version's checked sources in, its RDF data graph out (notice, processes, qualified uses,
spans), every term resolved against the ontology and DPV and every span checked against the text."""
