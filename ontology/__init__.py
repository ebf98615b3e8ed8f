"""policykg's ontology/ folder, shipped as package data of policykg.resources.ontology (see policykg.config)."""
