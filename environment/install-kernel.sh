#!/usr/bin/env bash
# Installs the QFormer Lab Java kernel for the current user: builds the kernel jar when it is missing
# (or when --build is given) and writes a Jupyter kernel spec that starts it with DJL offline.
#
#   ./environment/install-kernel.sh            # then: /usr/bin/jupyter notebook notebooks/
#   ./environment/install-kernel.sh --build    # rebuild the jar first
#   KERNEL_DIR=/some/share/jupyter/kernels ./environment/install-kernel.sh   # elsewhere
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
JAR="$ROOT/kernel-ext/target/qformerlab-kernel.jar"
NAME=qformerlab

if [ "${1:-}" = "--build" ] || [ ! -f "$JAR" ]; then
  echo "Building the kernel jar ($JAR)..."
  mvn -B -q -ntp -DskipTests package -pl kernel-ext -am
fi

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="$(command -v java || true)"
fi
if [ -z "$JAVA" ]; then
  echo "java not found: install a Java 17 JDK (apt-get install -y openjdk-17-jdk) or set JAVA_HOME." >&2
  exit 1
fi

# Jupyter's per-user kernel folder (jupyter --data-dir), unless KERNEL_DIR says otherwise.
if [ -z "${KERNEL_DIR:-}" ]; then
  if [ -x /usr/bin/jupyter ]; then
    KERNEL_DIR="$(/usr/bin/jupyter --data-dir)/kernels"
  else
    KERNEL_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/jupyter/kernels"
  fi
fi
SPEC="$KERNEL_DIR/$NAME"
mkdir -p "$SPEC"
/usr/bin/python3 - "$SPEC/kernel.json" "$JAVA" "$JAR" "$ROOT/ablations/studies" <<'PY'
import json, sys
path, java, jar, studies = sys.argv[1:]
spec = {
    # study names (%ablate 03-query-count) resolve from this project wherever a notebook is
    "argv": [java, "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-Dqformerlab.studies=" + studies,
             "-jar", jar, "{connection_file}"],
    "display_name": "Java (QFormer Lab)",
    "language": "java",
    "interrupt_mode": "message",
    "metadata": {"debugger": False},
}
with open(path, "w") as f:
    json.dump(spec, f, indent=2)
PY
echo "Installed kernel '$NAME' in $SPEC (java: $JAVA, jar: $JAR)."
echo "Start Jupyter with: /usr/bin/jupyter notebook notebooks/"
