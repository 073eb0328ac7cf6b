"""Re-send last week's summary for links the Slack channel missed.

    python -m notifier.backfill LINK_ID [LINK_ID ...]
"""
import argparse
import logging
import sys
from datetime import date, timedelta

import httpx

from notifier import belvo

log = logging.getLogger("notifier.backfill")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("links", nargs="+")
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    since = (date.today() - timedelta(days=args.days)).isoformat()
    failed = 0
    for link_id in args.links:
        try:
            txs = belvo.transactions_since(link_id, since)
        except httpx.HTTPError:
            log.exception("link %s: could not fetch transactions", link_id)
            failed += 1
            continue
        outflow = sum(t.amount for t in txs if t.type == "OUTFLOW")
        print(f"{link_id}\t{len(txs)}\t{outflow:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
