#!/usr/bin/env bash
# Builds and runs samples/ExistingService, which references LyftServing only as NuGet packages
# from artifacts/packages (its NuGet.config), at the version of the last pack. Packs first
# (eng/pack.sh) unless --no-pack says artifacts/packages holds a fresh pack. Fails when packing,
# restoring, building or the sample's own checks fail.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = "--no-pack" ] || eng/pack.sh artifacts/packages
version="$(cat artifacts/packages/version.txt)"
rm -rf samples/ExistingService/obj samples/ExistingService/bin
dotnet run --project samples/ExistingService -c Release --nologo -p:LyftServingVersion="$version"
