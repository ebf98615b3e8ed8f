"""The command line's shared options: where DPV, the policy texts and the build are (one definition each)."""

from __future__ import annotations

import argparse


def resource_options(*, dpv: bool = True, texts: bool = True, build: bool = False) -> argparse.ArgumentParser:
    """A parent parser with --dpv-dir, --texts-dir and --build-dir, for subcommands that need them."""
    parent = argparse.ArgumentParser(add_help=False)
    add_resource_options(parent, dpv=dpv, texts=texts, build=build)
    return parent


def add_resource_options(parent: argparse.ArgumentParser, *, dpv: bool = True, texts: bool = True,
                         build: bool = False) -> None:
    """Add --dpv-dir, --texts-dir and --build-dir to a parser."""
    if dpv:
        parent.add_argument("--dpv-dir", help="folder with the DPV 2.3 Turtle files (default: $POLICYKG_DPV_DIR, "
                            "../shared/dpv/2.3, or where `policykg fetch-dpv` put them)")
    if texts:
        parent.add_argument("--texts-dir", help="folder holding the policy texts (also searched: its seed/ and "
                            "policies/ subfolders; default: $POLICYKG_TEXTS_DIR or ../shared)")
    if build:
        parent.add_argument("--build-dir", help="the build folder (default: ./build or $POLICYKG_BUILD_DIR; "
                            "built if missing or stale)")
