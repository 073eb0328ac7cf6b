"""Print the static findings of a tree: `python -m belvo_check.source PATH [--history] [--frontend GLOB]...`.

For looking at what the source layer sees before checks judge it; values of secrets never appear.
"""

from __future__ import annotations

import argparse
import sys

from belvo_check.source import scan, scan_history


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m belvo_check.source", description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--include", action="append", default=[], metavar="GLOB")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB")
    parser.add_argument("--frontend", action="append", default=[], metavar="GLOB")
    parser.add_argument("--concept", action="append", metavar="NAME", help="only these concepts")
    parser.add_argument("--history", action="store_true", help="also scan every commit for secrets")
    args = parser.parse_args(argv)
    try:
        result = scan(args.root, args.include, args.exclude, args.frontend, concepts=args.concept)
    except NotADirectoryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    findings = list(result.findings)
    if args.history:
        history = scan_history(args.root)
        if history.error:
            print(f"history: {history.error}", file=sys.stderr)
        findings += history.findings
    for finding in findings:
        print(f"{finding.where}  {finding.concept}  {finding.verdict}  {finding.message}")
        if finding.snippet:
            print(f"    {finding.snippet}")
    print(f"{result.files} files, {result.matched} past the prefilter, {result.parsed} parsed, {len(findings)} "
          f"findings in {result.seconds:.2f} s", file=sys.stderr)
    for error in result.errors:
        print(f"warning: {error}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
