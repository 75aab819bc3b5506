#!/usr/bin/env bash
# Packs every package of this repository (the projects in LyftServing.Packages.slnf) into a local
# feed folder, with a version that changes on every pack: 0.1.0-local.<UTC yyyyMMddHHmmss>.
# A service that references "0.1.0-local.*" (or the printed version) therefore always restores
# the packages of the last pack, never a stale copy of the same version from the NuGet cache.
#
# Usage: eng/pack.sh [feed folder]            (default: artifacts/packages)
# Prints the feed's absolute path and the version; writes the version to <feed>/version.txt.
# The feed keeps only the last pack's LyftServing packages; the NuGet cache keeps older ones.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
feed="${1:-$repo/artifacts/packages}"
mkdir -p "$feed"
feed="$(cd "$feed" && pwd)"
version="0.1.0-local.$(date -u +%Y%m%d%H%M%S)"
if [ -f "$feed/version.txt" ] && [ "$(cat "$feed/version.txt")" = "$version" ]; then
  sleep 1   # two packs in one second: the second must still get a new version
  version="0.1.0-local.$(date -u +%Y%m%d%H%M%S)"
fi

rm -f "$feed"/LyftServing.*.nupkg "$feed"/LyftServing.*.snupkg
dotnet pack "$repo/LyftServing.Packages.slnf" -c Release -o "$feed" --nologo -v quiet \
  -p:Version="$version" -p:LyftServingFeed="$feed"
echo "$version" > "$feed/version.txt"
echo "Packed LyftServing $version into $feed:"
(cd "$feed" && ls -1 LyftServing.*.nupkg)
