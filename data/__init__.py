"""policykg's data/ folder, shipped as package data of policykg.resources.data (see policykg.config)."""
