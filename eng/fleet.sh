#!/usr/bin/env bash
# The fleet run (eng/fleet.py) with S3 in s3rver, then with Azure Blob in azurite: three sample
# servers behind haproxy under steady load, publish, roll back, restart a replica; no call may
# fail. Needs haproxy, wrk, python3 and the emulators (eng/emulators.sh), as .ci/run installs them.
# Writes the measured figures to artifacts/fleet/{s3,azblob}.json. Bounded: about 2 minutes.
# Usage: eng/fleet.sh [--duration seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/fleet
mkdir -p "$out"
eng/emulators.sh
dotnet build samples/LyftServing.Server -c Release --nologo -v quiet
dotnet build src/LyftServing.Tool -c Release --nologo -v quiet
server=samples/LyftServing.Server/bin/Release/net10.0/LyftServing.Server.dll
tool=src/LyftServing.Tool/bin/Release/net10.0/lyftserving.dll
status=0
for store in s3 azblob; do
  timeout 300 python3 eng/fleet.py --store "$store" --server "$PWD/$server" --tool "$PWD/$tool" --json "$out/$store.json" "$@" || status=1
done
exit $status
