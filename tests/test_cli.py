"""The command line as one thing: every subcommand registered (a module that fails to import fails loudly), and the
shared options mean the same wherever they appear."""

from __future__ import annotations

import argparse

import pytest

from policykg.cli import main as cli_main

SHARED = ("--dpv-dir", "--texts-dir", "--build-dir")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_module_is_registered() -> None:
    commands = _subparsers(cli_main.build_parser())
    expected = {"build", "ingest", "diff", "validate", "query", "reason", "serve", "publish", "fetch-dpv", "docs"}
    assert expected <= set(commands), sorted(expected - set(commands))
    assert len(cli_main.COMMANDS) == len({m.__name__ for m in cli_main.COMMANDS}) >= 10


@pytest.mark.parametrize("option", SHARED)
def test_a_shared_option_has_one_meaning_in_every_command(option: str) -> None:
    helps = {}
    for name, sub in _subparsers(cli_main.build_parser()).items():
        for action in sub._actions:
            if option in action.option_strings:
                helps[name] = action.help
    assert len(helps) >= 2, f"{option} is used by {sorted(helps)}"
    assert len(set(helps.values())) == 1, helps


def test_a_command_module_that_cannot_be_imported_stops_the_command_line(monkeypatch) -> None:
    """The commands are imported by name in policykg.cli.main: a broken one is an ImportError, never a missing
    subcommand."""
    import importlib
    import sys

    import policykg.cli

    monkeypatch.setitem(sys.modules, "policykg.cli.docs", None)  # `import` of it now raises ImportError
    monkeypatch.delattr(policykg.cli, "docs")
    monkeypatch.delitem(sys.modules, "policykg.cli.main")
    with pytest.raises(ImportError):
        importlib.import_module("policykg.cli.main")
