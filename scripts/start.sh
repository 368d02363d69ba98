#!/usr/bin/env bash
# Install, build the index from corpus/ and start the app: bash scripts/start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/plangraph build corpus
exec .venv/bin/streamlit run app.py --server.headless true "$@"
