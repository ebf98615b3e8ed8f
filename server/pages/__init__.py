"""Pages for people and linked-data clients: resource pages, the query page, downloads and the ontology."""
