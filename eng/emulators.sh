#!/usr/bin/env bash
# Installs the object-store emulators the store tests and the fleet run use (s3rver for S3,
# Microsoft's azurite for Azure Blob) into eng/emulators/node_modules, from the npm registry.
# The tests start them themselves, on loopback ports of their own. Needs node and npm.
# Usage: eng/emulators.sh          (installs when missing or outdated)
set -euo pipefail
cd "$(dirname "$0")/emulators"
if [ -x node_modules/.bin/s3rver ] && [ -x node_modules/.bin/azurite-blob ] \
  && grep -q '"version": "3.7.1"' node_modules/s3rver/package.json \
  && grep -q '"version": "3.37.0"' node_modules/azurite/package.json; then
  exit 0
fi
npm install --no-audit --no-fund --no-save --loglevel=error
