"""Drafting: a new capture in, a draft version folder out (rows matched to the closest curated version, phrases
reused from data/phrases.yaml, what is left listed in curation.yaml)."""
