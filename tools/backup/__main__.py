"""`python -m tools.backup backup` / `python -m tools.backup restore [--at SET]` (`make backup`, `make restore`)."""

from __future__ import annotations

import argparse
import asyncio

from pixelflow.runtime.logs import configure_logging
from tools.backup import run
from tools.backup.settings import BackupSettings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.backup", description=__doc__)
    parser.add_argument("action", choices=["backup", "restore"])
    parser.add_argument("--at", help="the set to restore (a name under <dir>/databases/; default: the newest)")
    args = parser.parse_args()
    settings = BackupSettings()
    configure_logging("backup", settings.log_level)
    if args.action == "backup":
        result = asyncio.run(run.backup(settings))
        print(f"backup {result.set_dir}: {result.objects.copied} objects copied, {result.objects.skipped} kept")
    else:
        try:
            print(f"restored {asyncio.run(run.restore(settings, at=args.at))}")
        except FileNotFoundError as exc:
            raise SystemExit(str(exc)) from None


if __name__ == "__main__":
    main()
