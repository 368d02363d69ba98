#!/usr/bin/env bash
# Install what the tests need and run them: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/python -m mypy --no-error-summary src/plangraph || { echo "mypy found type errors"; exit 1; }
exec .venv/bin/python -m pytest "$@"
