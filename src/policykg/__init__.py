"""policykg: Meta's UK Privacy Policy as a DPV 2.3-aligned knowledge graph."""

__version__ = "0.3.0"
