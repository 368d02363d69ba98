#!/usr/bin/env bash
# Install what the tests need and run them: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
# The browser test drives Debian's chromium (playwright cannot download browsers here);
# without a CJK font Chinese renders as empty boxes in its screenshots.
missing=()
for pkg in chromium fonts-noto-cjk; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "note: ${missing[*]} not installed (apt-get install ${missing[*]} as root); the browser test skips" >&2
  fi
fi
.venv/bin/python -m ruff check src tests benchmarks scripts || { echo "ruff found problems"; exit 1; }
.venv/bin/python -m mypy --no-error-summary src/plangraph || { echo "mypy found type errors"; exit 1; }
exec .venv/bin/python -m pytest "$@"
