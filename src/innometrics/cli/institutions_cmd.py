"""``innometrics institutions ...``: the ROR registry and the affiliation matcher."""

from __future__ import annotations

from pathlib import Path

import typer

from innometrics.cli.common import App, console, err_console, handle_errors

institutions_app = App(
    name="institutions",
    help="ROR registry (load a data dump) and affiliation strings matched to ROR organisations.",
    no_args_is_help=True,
)

_CACHE_HELP = "Folder for the Parquet cache (default: <dump>.cache/ beside the dump)."


@institutions_app.command("load")
@handle_errors
def load(
    dump: Path = typer.Argument(..., metavar="DUMP", help="ROR schema-v2 data dump: .json, .json.gz or the .zip ROR publishes."),
    cache_dir: Path = typer.Option(None, "--cache-dir", help=_CACHE_HELP),
) -> None:
    """Read a ROR dump into its Parquet cache and print counts (organisations, names, links)."""
    import json

    from innometrics.entities.institutions.index import load_index
    from innometrics.entities.institutions.ror import load_registry

    reg = load_registry(dump, cache_dir=cache_dir)
    load_index(reg)  # the matcher's index is cached too, so the first match run is fast
    c = reg.counts()
    err_console.print(f"{dump}: {c['organisations']:,} organisations "
                      f"({'from cache' if reg.from_cache else 'read from the dump'}; cache {reg.cache_path or 'off'})",
                      highlight=False)
    console.print(json.dumps(c, indent=2), highlight=False)


@institutions_app.command("match")
@handle_errors
def match(
    strings: Path = typer.Argument(..., metavar="STRINGS", help="CSV with an 'affiliation' column (other columns are ignored)."),
    registry: Path = typer.Option(..., "--registry", help="ROR schema-v2 data dump (.json, .json.gz or .zip)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output CSV: affiliation, ror_id, name, country, score, matched_on."),
    cache_dir: Path = typer.Option(None, "--cache-dir", help=_CACHE_HELP),
    prefer_part: bool = typer.Option(False, "--prefer-part/--prefer-organisation",
                                     help="When a string names a registered lab or institute and the organisation "
                                          "it belongs to: the part, or (default) the organisation."),
    choice: str = typer.Option("learned", "--choice",
                               help="How the organisation is chosen among those a string names: 'learned' "
                                    "(default; the shipped logistic model) or 'rules' (the fixed rules)."),
    min_probability: float = typer.Option(0.0, "--min-probability", min=0.0, max=1.0,
                                          help="Learned choice only: leave a string unmatched when the chosen "
                                               "organisation's probability is below this (precision for recall)."),
) -> None:
    """Match each affiliation string to a ROR organisation (one output row per input row, same order).

    ror_id is https://ror.org/<id>, empty when nothing matches well enough; matched_on says
    which name or rule decided (exact display name / label / alias / acronym, fuzzy, + city or
    country evidence, the learned choice among several organisations with its probability,
    successor of a withdrawn organisation).
    """
    from innometrics.entities.institutions.matcher import match_file

    if choice not in ("learned", "rules"):
        raise typer.BadParameter(f"expected 'learned' or 'rules', got {choice!r}", param_hint="--choice")
    if min_probability and (choice == "rules" or prefer_part):
        raise typer.BadParameter("needs the learned choice (the rules, and --prefer-part, give no probability)",
                                 param_hint="--min-probability")
    table = match_file(strings, registry, out, cache_dir=cache_dir, prefer_part=prefer_part, choice=choice,
                       min_probability=min_probability)
    n = len(table)
    matched = int((table["ror_id"] != "").sum())
    err_console.print(f"{strings}: {n:,} strings, {matched:,} matched ({matched / n:.1%})" if n else
                      f"{strings}: no strings", highlight=False)
    console.print(f"matches: {out}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(institutions_app, name="institutions")
