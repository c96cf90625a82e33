"""Install the map's JS/CSS assets from the npm registry into static/vendor (idempotent).

Runs ``npm pack NAME@VERSION`` for each package in ui.assets.PACKAGES (npm checks the
registry's integrity hash), then unpacks the needed folder. Nothing here is committed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ui.assets import PACKAGES, VENDOR_DIR, missing_files  # noqa: E402

STAMP = VENDOR_DIR / "installed.json"


def _extract(tgz: Path, keep: str, dest: Path, only: tuple[str, ...] = ()) -> None:
    prefix = keep.rstrip("/") + "/"
    with tarfile.open(tgz) as tar:
        members = [
            m for m in tar.getmembers()
            if m.isfile() and m.name.startswith(prefix)
            and (not only or m.name[len(prefix):].startswith(only))
        ]
        if not members:
            msg = f"{tgz.name} has no folder {keep}"
            raise SystemExit(msg)
        for member in members:
            target = dest / member.name[len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            if src is None:
                continue
            with src, target.open("wb") as out:
                shutil.copyfileobj(src, out)


def main() -> int:
    """Fetch every package not yet installed at the pinned version."""
    wanted = {key: pkg.spec for key, pkg in PACKAGES.items()}
    if STAMP.exists() and json.loads(STAMP.read_text()) == wanted and not missing_files():
        print(f"map assets up to date in {VENDOR_DIR}")
        return 0
    npm = shutil.which("npm")
    if npm is None:
        print("npm not found: install Node.js/npm (apt-get install -y npm)", file=sys.stderr)
        return 1
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for pkg in PACKAGES.values():
            out = subprocess.run(
                [npm, "pack", pkg.spec, "--silent", "--pack-destination", tmp],
                check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]
            dest = VENDOR_DIR / pkg.dest
            shutil.rmtree(dest, ignore_errors=True)
            _extract(Path(tmp) / out, pkg.keep, dest, pkg.only)
            print(f"installed {pkg.spec} -> static/vendor/{pkg.dest}")
    missing = missing_files()
    if missing:
        print("still missing: " + ", ".join(str(p) for p in missing), file=sys.stderr)
        return 1
    STAMP.write_text(json.dumps(wanted, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
