"""policykg: Meta's Privacy Policy (its UK, EU and global notices, 2022-2026) as a DPV 2.3-aligned knowledge graph."""

__version__ = "0.3.0"
