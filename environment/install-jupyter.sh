#!/usr/bin/env bash
# Installs Jupyter from Debian's packages where it is missing: the notebook server, nbconvert (which
# the test suite uses to execute the notebooks headlessly), jupyter_client (the protocol tests) and
# ipykernel. The python3-* packages hold the modules; jupyter-nbconvert and jupyter-client hold the
# `jupyter nbconvert` and `jupyter kernelspec` commands. Idempotent: when everything is present it only checks and returns.
#
# Debian's packages live under /usr/bin/python3 (the machine's default python3 may be another one, e.g.
# a pyenv build), so the check asks /usr/bin/python3 explicitly.
# Needs root or sudo for the install step only.
set -euo pipefail

PACKAGES=(jupyter-notebook python3-nbconvert python3-jupyter-client python3-ipykernel
          jupyter-nbconvert jupyter-client)

present() {
  [ -x /usr/bin/jupyter ] && [ -x /usr/bin/python3 ] \
    && /usr/bin/python3 -c 'import jupyter_client, nbconvert, nbformat, ipykernel, notebook' 2>/dev/null \
    && /usr/bin/jupyter nbconvert --version >/dev/null 2>&1 \
    && /usr/bin/jupyter kernelspec --version >/dev/null 2>&1
}

if present; then
  echo "Jupyter is installed (/usr/bin/jupyter, nbconvert $(/usr/bin/jupyter nbconvert --version))."
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "Jupyter is missing and installing it needs root: run as root, or install sudo." >&2
  echo "  apt-get update && apt-get install -y ${PACKAGES[*]}" >&2
  exit 1
fi

echo "Installing Jupyter from Debian's packages: ${PACKAGES[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"

if ! present; then
  echo "Jupyter still incomplete after installing ${PACKAGES[*]}; see environment/check.sh." >&2
  exit 1
fi
echo "Jupyter installed (/usr/bin/jupyter, nbconvert $(/usr/bin/jupyter nbconvert --version))."
