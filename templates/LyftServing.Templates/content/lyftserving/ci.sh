#!/usr/bin/env bash
# CI: restore, build once, run the tests (every model's self-tests among them), with TRX results
# in artifacts/test-results. Fails on the first failing step.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet restore LyftService.slnx
dotnet build LyftService.slnx --no-restore -c Release
dotnet test LyftService.slnx --no-build -c Release --logger trx --results-directory artifacts/test-results
