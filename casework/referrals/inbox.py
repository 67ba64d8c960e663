"""Police downloads dropped into the inbox folder: imported, then archived with a report, or
kept in failed/ beside the reason."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

from casework.audit import Origin
from casework.referrals.police_import import FileError, import_police_download

ORIGIN = Origin.command_line("scheduler")


def import_inbox(
    session, *, folder: Path | None, calendar, match_key_limit: int, now: datetime
) -> list[dict]:
    """Import police downloads dropped into the inbox folder; archive them, or keep failures
    in failed/ beside a report of why."""
    if folder is None or not folder.is_dir():
        return []
    results = []
    for path in sorted(folder.glob("*.csv")):
        stamp = now.strftime("%Y%m%dT%H%M%S")
        try:
            result = import_police_download(
                session,
                path.read_bytes(),
                filename=path.name,
                received_at=now,
                calendar=calendar,
                origin=ORIGIN,
                now=now,
                match_key_limit=match_key_limit,
            )
        except FileError as exc:
            session.rollback()
            target = folder / "failed"
            target.mkdir(exist_ok=True)
            shutil.move(str(path), target / f"{stamp}-{path.name}")
            (target / f"{stamp}-{path.name}.json").write_text(json.dumps({"error": str(exc)}))
            results.append({"file": path.name, "error": str(exc)})
            continue
        target = folder / "archive"
        target.mkdir(exist_ok=True)
        shutil.move(str(path), target / f"{stamp}-{path.name}")
        (target / f"{stamp}-{path.name}.json").write_text(json.dumps(result.as_json()))
        results.append({"file": path.name, **result.as_json()})
    return results
