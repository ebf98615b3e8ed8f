"""Which curated version a new text is drafted from, and why: the closest curated version of the same regime.

The regime is the registered version's jurisdiction when the name is in data/versions.yaml, else the regime the
text states (its controller, authority and section: policykg.text.statements), else the one the caller gives (diff
passes the other side's). Only a version of that regime is a base: a UK text drafted from the EU version would
carry another regime's bases, audiences and notice. With none, the text is drafted from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from policykg.ingest.phrases import is_curated
from policykg.sources.versions import Registry, Version
from policykg.text.rows import ParsedPolicy

REGIME_NAMES = {"uk": "UK", "eu": "EU", "global": "global"}


@dataclass(frozen=True)
class BaseChoice:
    """The regime a text is drafted for, the base version (None: from scratch), why, and warnings to show."""

    regime: str | None
    base: Version | None
    reason: str
    warnings: tuple[str, ...] = field(default=())
    how: str = ""  # how the regime was decided


def regime_label(regime: str | None) -> str:
    """A regime as people write it ('UK', 'EU', 'global')."""
    return REGIME_NAMES.get(regime or "", regime or "unknown")


def _regime(registry: Registry, name: str, parsed: ParsedPolicy, given: str | None) -> tuple[str | None, str, list[str]]:
    """The regime, how it was decided, and a warning when the text says otherwise than the registry."""
    stated = parsed.regime
    target = next((v for v in registry.versions if v.name == name), None)
    if target is not None:
        warnings = []
        if stated.regime is not None and stated.regime != target.jurisdiction:
            warnings.append(f"data/versions.yaml registers {name} as {regime_label(target.jurisdiction)}, but the text "
                            f"states the {regime_label(stated.regime)} regime ({stated.evidence_words()}): drafted as "
                            f"{regime_label(target.jurisdiction)}; check the text and the registry")
        return target.jurisdiction, f"data/versions.yaml registers {name} as {regime_label(target.jurisdiction)}", warnings
    if stated.regime is not None:
        return stated.regime, (f"{name} is not in data/versions.yaml; the text states the {regime_label(stated.regime)} "
                               f"regime ({stated.evidence_words()})"), []
    if given is not None:
        return given, (f"the text states no regime ({stated.evidence_words()}); taken from the version it is compared with "
                       f"({regime_label(given)})"), []
    return None, f"{name} is not in data/versions.yaml and the text states no regime ({stated.evidence_words()})", []


def choose_base(registry: Registry, name: str, parsed: ParsedPolicy, given: str | None = None) -> BaseChoice:
    """The closest curated version of the text's regime: the newest one before the text's date (a registered
    version's effective date, else the date the text states; the same date counts for a text not registered, a
    fresh capture of a curated version), else the oldest after it; None when that regime has no curated version."""
    regime, how, warnings = _regime(registry, name, parsed, given)
    target = next((v for v in registry.versions if v.name == name), None)
    when: date | None = target.effective if target else parsed.effective_date
    same = [v for v in registry.versions if v.name != name and is_curated(v) and regime is not None
            and v.jurisdiction == regime]
    if not same:
        what = f"no curated {regime_label(regime)} version" if regime else "no regime to choose a base by"
        return BaseChoice(regime, None, f"{how}; {what}: drafted from scratch (rows, titles and items with their spans; "
                          "terms from data/phrases.yaml where a phrase is known, CURATE placeholders elsewhere)",
                          tuple(warnings), how)
    if when is None:
        base, why = same[-1], f"the newest curated {regime_label(regime)} version (the text states no effective date)"
    else:
        earlier = [v for v in same if v.effective < when or (target is None and v.effective == when)]
        if earlier:
            base = earlier[-1]
            why = (f"the curated {regime_label(regime)} version of the same date" if base.effective == when else
                   f"the newest curated {regime_label(regime)} version before {when.isoformat()}")
        else:
            base, why = same[0], f"the oldest curated {regime_label(regime)} version (none is before {when.isoformat()})"
    return BaseChoice(regime, base, f"{how}; base {base.name}: {why}", tuple(warnings), how)
