"""Stage 5, build: every version compiled, linked and compared, then written as deterministic dumps, VoID/DCAT, the
CSV matrix, diff reports and checksums; the ontology documentation."""
