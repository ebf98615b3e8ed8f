"""`policykg reason`: HermiT on the ontology and every version (exit 0 consistent, 1 not, 2 error)."""

from __future__ import annotations

import argparse

from policykg.cli.options import EXIT_NONCONFORMANT, EXIT_OK, resource_options


def cmd_reason(args: argparse.Namespace) -> int:
    """Run HermiT over ontology + data; report consistency and unsatisfiable classes."""
    from policykg.validate.reason import reason

    result = reason(args.dpv_dir, args.texts_dir)
    print(result.summary())
    return EXIT_OK if result.consistent and not result.unsatisfiable else EXIT_NONCONFORMANT


def register(sub: argparse._SubParsersAction) -> None:
    """Add `policykg reason`."""
    p = sub.add_parser("reason", parents=[resource_options()],
                       help="check ontology + data consistency with the HermiT reasoner (needs Java)")
    p.set_defaults(func=cmd_reason)
