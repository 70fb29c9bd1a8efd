#!/usr/bin/env bash
# Builds the sdists and wheels of nightowl and nightowl-lab (python -m build: the wheel is built
# from the sdist, so both are checked), checks every data file of the source tree is in the wheels,
# installs the wheels into a fresh virtualenv and runs `nightowl --version` and `nightowl demo`
# from outside the source tree. Run by `make test` (target wheel-check).
set -euo pipefail

python=${PYTHON:-.venv/bin/python}
dist=${WHEEL_CHECK_DIST:-dist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -rf "$dist"
echo "wheel-check: building the sdists and wheels into $dist/"
"$python" -m build --outdir "$dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
"$python" -m build --outdir "$dist" lab >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
ls "$dist"

# Every file the packages ship besides code (templates, static, migrations, YAML, prompts...).
"$python" - "$dist" <<'PY'
import subprocess, sys, zipfile
from pathlib import Path

dist = Path(sys.argv[1])
tracked = subprocess.run(["git", "ls-files", "nightowl", "lab/nightowl_lab"], capture_output=True,
                         text=True, check=True).stdout.split()
wanted = {p.removeprefix("lab/") for p in tracked if not p.endswith(".py")}
shipped = set()
for wheel in dist.glob("*.whl"):
    names = zipfile.ZipFile(wheel).namelist()
    shipped |= set(names)
    if not any(n.endswith("licenses/LICENSE") for n in names):
        sys.exit(f"wheel-check: {wheel.name} has no LICENSE in its dist-info")
missing = sorted(wanted - shipped)
if missing:
    sys.exit("wheel-check: files missing from the wheels (add them to package-data):\n  "
             + "\n  ".join(missing))
print(f"wheel-check: all {len(wanted)} data files are in the wheels, and the LICENSE")
PY

echo "wheel-check: installing the wheels into a fresh virtualenv"
"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "$dist"/nightowl-*.whl "$dist"/nightowl_lab-*.whl \
  >"$work/pip.log" 2>&1 || { cat "$work/pip.log"; exit 1; }
cd "$work"  # nothing of the source tree is importable from here
"$work/venv/bin/nightowl" --version
"$work/venv/bin/nightowl" demo --data-dir "$work/data" >"$work/demo.log" 2>&1 || { cat "$work/demo.log"; exit 1; }
tail -n 3 "$work/demo.log"
echo "wheel-check: OK"
