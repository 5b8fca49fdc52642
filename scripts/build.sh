#!/usr/bin/env bash
# Restores and builds the whole solution in Release (the TorchSharp native fix runs inside the build).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build DeepRL.sln -c Release -v quiet -nologo -clp:ErrorsOnly -warnaserror
