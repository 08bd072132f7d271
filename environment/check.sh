#!/usr/bin/env bash
# Says what the notebooks need and what is missing; changes nothing. Exit code 1 if anything is.
cd "$(dirname "$0")/.."
missing=0
ok()   { printf '  ok       %s\n' "$1"; }
miss() { printf '  MISSING  %s\n           fix: %s\n' "$1" "$2"; missing=1; }

echo "QFormer Lab environment:"
if command -v java >/dev/null 2>&1 && java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
  ok "Java 17+ ($(java -version 2>&1 | head -1))"
else
  miss "Java 17+" "apt-get install -y openjdk-17-jdk"
fi
if command -v mvn >/dev/null 2>&1; then ok "Maven ($(mvn -v 2>/dev/null | head -1))"; else miss "Maven" "apt-get install -y maven"; fi
if [ -x /usr/bin/python3 ]; then ok "/usr/bin/python3"; else miss "/usr/bin/python3" "apt-get install -y python3"; fi
for mod in jupyter_client nbconvert nbformat ipykernel notebook; do
  if /usr/bin/python3 -c "import $mod" 2>/dev/null; then ok "python module $mod"; else
    miss "python module $mod (Debian's, under /usr/bin/python3)" "sudo ./environment/install-jupyter.sh"; fi
done
for cmd in nbconvert kernelspec; do
  if /usr/bin/jupyter "$cmd" --version >/dev/null 2>&1; then ok "/usr/bin/jupyter $cmd"; else
    miss "/usr/bin/jupyter $cmd" "sudo ./environment/install-jupyter.sh"; fi
done
if [ -f kernel-ext/target/qformerlab-kernel.jar ]; then ok "kernel jar (kernel-ext/target/qformerlab-kernel.jar)"; else
  miss "kernel jar" "mvn -B -DskipTests package -pl kernel-ext -am (install-kernel.sh does it)"; fi
if [ -x /usr/bin/jupyter ] && /usr/bin/jupyter kernelspec list 2>/dev/null | grep -q '^ *qformerlab '; then
  ok "kernel spec 'qformerlab'"
else
  miss "kernel spec 'qformerlab' (needed for Jupyter, not for the tests)" "./environment/install-kernel.sh"
fi
# the compute engine: DJL, libtorch (CPU or CUDA build), devices and precisions (environment/gpu.md)
if [ -f ablations/target/qformerlab.jar ]; then
  errors="$(mktemp)"
  if report="$(java -Dai.djl.offline=true -jar ablations/target/qformerlab.jar doctor 2>"$errors")"; then
    ok "compute engine (qformerlab doctor):"
    printf '%s\n' "$report" | tail -n +2 | sed 's/^/         /'
  else
    miss "compute engine: qformerlab doctor failed ($(tail -1 "$errors"))" "see environment/gpu.md; ./qformerlab doctor shows the whole error"
  fi
  rm -f "$errors"
else
  printf '  skipped  compute engine report: ./qformerlab doctor builds the command-line jar and prints it\n'
fi
[ "$missing" -eq 0 ] && echo "Everything is in place." || echo "Something is missing (see fix: lines)."
exit "$missing"
