#!/usr/bin/env bash
# The project's one test command: installs what the tests need (Jupyter from Debian's packages, if
# missing) and runs every module's tests, the notebooks included.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x environment/install-jupyter.sh ]; then ./environment/install-jupyter.sh; fi
mvn -B -ntp verify
