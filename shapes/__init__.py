"""policykg's shapes/ folder, shipped as package data of policykg.resources.shapes (see policykg.config)."""
