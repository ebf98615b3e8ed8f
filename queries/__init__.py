"""policykg's queries/ folder, shipped as package data of policykg.resources.queries (see policykg.config)."""
