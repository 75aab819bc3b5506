#!/usr/bin/env bash
# Packs every src/ project into artifacts/packages, then builds and runs samples/ExistingService,
# which references LyftServing only as NuGet packages from that folder. Fails when packing,
# restoring, building or the sample's own checks fail.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf artifacts/packages samples/ExistingService/obj samples/ExistingService/bin
for project in src/*/*.csproj; do
  dotnet pack "$project" -c Release -o artifacts/packages --nologo -v quiet
done
ls artifacts/packages
dotnet run --project samples/ExistingService -c Release --nologo
