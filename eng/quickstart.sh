#!/usr/bin/env bash
# Follows the README's "A model service in ten minutes" exactly, on a fresh clone of this
# repository's committed HEAD: runs the README's ```sh quickstart blocks in order in an empty
# folder (only the clone URL is replaced, by this repository's path), checks the answer against
# its ```json output quickstart block, and prints how long it took from the clone to that answer.
# The template is installed into this run's own `dotnet new` settings (DOTNET_CLI_HOME), so the
# machine's are left alone; packages come from the new pack and the machine's NuGet cache.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/lyftserving-quickstart-XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/run" "$work/origin"
ln -s "$repo" "$work/origin/lyftserving"   # the clone's folder is named as from GitHub
export DOTNET_CLI_HOME="$work/home" DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

awk '/^```sh quickstart$/ {take=1; next} /^```$/ {take=0} take' "$repo/README.md" \
  | sed "s#https://github.com/lyftserving/lyftserving#file://$work/origin/lyftserving#" > "$work/quickstart.sh"
expected="$(awk '/^```json output quickstart$/ {take=1; next} /^```$/ {take=0} take' "$repo/README.md")"
[ -s "$work/quickstart.sh" ] && [ -n "$expected" ] || { echo "quickstart: no quickstart blocks in README.md"; exit 1; }
echo "::group::quickstart commands"; cat "$work/quickstart.sh"; echo "::endgroup::"

# In a process group of its own (setsid: its id is the group's), so the service it starts in the
# background ends with it even if a step fails; a hung step ends it after 15 minutes.
start=$(date +%s%N)
set +e
(cd "$work/run" && exec setsid timeout 900 bash -e "$work/quickstart.sh" > "$work/quickstart.log" 2>&1) &
runner=$!
wait "$runner"
status=$?
end=$(date +%s%N)
set -e
kill -- "-$runner" 2>/dev/null || true

echo "::group::quickstart output"; cat "$work/quickstart.log"; echo; echo "::endgroup::"
if [ "$status" -ne 0 ]; then
  echo "Quickstart: FAILED (exit $status)"
  exit 1
fi
if ! grep -qF "$expected" "$work/quickstart.log"; then
  echo "Quickstart: FAILED: the answer is not the README's: $expected"
  exit 1
fi
echo "Quickstart: OK, first /infer answer $(( (end - start) / 1000000000 )) s after the clone"
