#!/usr/bin/env bash
# The controller's table (docs/benchmarks.md, "The controller"): publishes the controller, then runs
# bench/Whereabouts.ControllerLoad against the in-process Kubernetes API test server.
# Usage: bench/controller-load.sh [POOLS=100] [PER_POOL=100] [REPEAT=5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet publish src/Whereabouts.Controller -c Release -o artifacts/controller -nologo -clp:ErrorsOnly
dotnet run --project bench/Whereabouts.ControllerLoad -c Release -- "$PWD/artifacts/controller/whereabouts-controller" "${1:-100}" "${2:-100}" "${3:-5}"
