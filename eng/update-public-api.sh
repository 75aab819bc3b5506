#!/usr/bin/env bash
# Adds every symbol the PublicApiAnalyzers report as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt, then sorts it. Review the diff: it is the change to the public API.
# Usage: eng/update-public-api.sh src/LyftServing.Core
set -euo pipefail
project_dir=${1:?project directory}
file="$project_dir/PublicAPI.Unshipped.txt"
[ -s "$file" ] || echo '#nullable enable' > "$file"
dotnet build "$project_dir" --no-incremental -p:TreatWarningsAsErrors=false 2>&1 \
  | grep -oE "warning RS0016: Symbol '.*' is not part of the declared public API" \
  | sed -E "s/^warning RS0016: Symbol '(.*)' is not part of the declared public API$/\1/" \
  >> "$file" || true
{ echo '#nullable enable'; grep -v '^#nullable enable$' "$file" | sort -u; } > "$file.tmp"
mv "$file.tmp" "$file"
