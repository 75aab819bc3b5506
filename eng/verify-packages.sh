#!/usr/bin/env bash
# Packs every package into artifacts/packages (eng/pack.sh, a new version on every pack), then
# builds and runs samples/ExistingService, which references LyftServing only as NuGet packages of
# that version from that folder. Fails when packing, restoring, building or the sample's own
# checks fail.
set -euo pipefail
cd "$(dirname "$0")/.."
eng/pack.sh artifacts/packages
version="$(cat artifacts/packages/version.txt)"
rm -rf samples/ExistingService/obj samples/ExistingService/bin
dotnet run --project samples/ExistingService -c Release --nologo -p:LyftServingVersion="$version"
