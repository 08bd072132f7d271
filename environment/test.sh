#!/usr/bin/env bash
# The project's one test command: installs what the tests need (Jupyter and SLURM from Debian's
# packages, if missing) and runs every module's tests, the notebooks included. SlurmClusterTest starts
# the one-node SLURM of environment/slurm-local.sh itself and stops it when done.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x environment/install-jupyter.sh ]; then ./environment/install-jupyter.sh; fi
if [ -x environment/slurm-local.sh ]; then ./environment/slurm-local.sh install; fi
mvn -B -ntp verify
