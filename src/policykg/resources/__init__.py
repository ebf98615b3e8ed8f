"""The project's curated resources, shipped inside the package (see policykg.config for where each one is)."""
