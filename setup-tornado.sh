#!/usr/bin/env bash
# Finds an installed TornadoVM SDK (5.2.x for JDK 25), lists its devices, and makes its tornado-api and
# tornado-runtime jars resolvable by Maven, so the tornado-kernels module compiles and tests its GPU kernels.
# It never builds TornadoVM: without an SDK it says how to install one and exits non-zero.
#
#   ./setup-tornado.sh            look in TORNADOVM_HOME, TORNADO_SDK, `tornado` on the PATH, then the usual folders
#   ./setup-tornado.sh <sdk-dir>  use that SDK
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
. "$root/scripts/jdk25.sh"
commvq_find_jdk25
export PATH="$JAVA_HOME/bin:$PATH"

# The coordinates the project compiles against; pom.xml is the one place that names them.
version=$(sed -n 's|.*<tornado.version>\(.*\)</tornado.version>.*|\1|p' "$root/pom.xml" | head -n1)
group=io.github.beehive-lab
artifacts=(tornado-api tornado-runtime)

say() { echo "[setup-tornado] $*"; }

# An SDK folder has the jars under share/java/tornado and says its version in etc/tornado.release.
is_sdk() { [ -d "$1/share/java/tornado" ] && compgen -G "$1/share/java/tornado/tornado-api-*.jar" >/dev/null; }

sdk_version() {
  local v=""
  [ -f "$1/etc/tornado.release" ] && v=$(sed -n 's/^version=//p' "$1/etc/tornado.release" | head -n1)
  if [ -z "$v" ]; then
    v=$(basename "$(compgen -G "$1/share/java/tornado/tornado-api-*.jar" | head -n1)" .jar)
    v=${v#tornado-api-}
  fi
  echo "$v"
}

sdk_backends() { sed -n 's/^tornado.backends=//p' "$1/etc/tornado.backend" 2>/dev/null | head -n1; }

# A PTX backend aborts the runtime's start on a machine without the NVIDIA driver, OpenCL devices included.
has_libcuda() { ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1' || compgen -G "${LD_LIBRARY_PATH:-/nonexistent}/libcuda.so.1" >/dev/null \
  || [ -e /usr/local/nvidia/lib64/libcuda.so.1 ]; }

candidates() {
  [ $# -gt 0 ] && printf '%s\n' "$1"
  [ -n "${TORNADOVM_HOME:-}" ] && printf '%s\n' "$TORNADOVM_HOME"
  [ -n "${TORNADO_SDK:-}" ] && printf '%s\n' "$TORNADO_SDK"
  local t
  if t=$(command -v tornado 2>/dev/null); then dirname "$(dirname "$(readlink -f "$t")")"; fi
  local d
  for d in "$HOME/.sdkman/candidates/tornadovm/current" "$HOME"/.sdkman/candidates/tornadovm/* \
           /opt/tornadovm* /opt/TornadoVM* /usr/local/tornadovm* /usr/lib/tornadovm* "$HOME"/tornadovm* \
           "$root"/../tornadovm-sdk* "$root"/../tornadovm-*/dist/*/tornadovm-*; do
    [ -d "$d" ] || continue
    printf '%s\n' "$d"
    # A downloaded archive unpacks to an outer folder holding the SDK folder.
    compgen -G "$d/tornadovm-*" >/dev/null && for inner in "$d"/tornadovm-*; do [ -d "$inner" ] && printf '%s\n' "$inner"; done
  done
  return 0
}

explicit=$([ $# -gt 0 ] || [ -n "${TORNADOVM_HOME:-}" ] || [ -n "${TORNADO_SDK:-}" ] && echo yes || echo no)
sdk=""
rejected=()
while IFS= read -r c; do
  [ -n "$c" ] || continue
  c=$(cd "$c" 2>/dev/null && pwd) || continue
  if ! is_sdk "$c"; then rejected+=("$c: no share/java/tornado/tornado-api-*.jar"); continue; fi
  v=$(sdk_version "$c")
  if [[ ! "$v" =~ ^5\.2\.[0-9]+-jdk25$ ]]; then rejected+=("$c: version $v, need 5.2.x-jdk25"); continue; fi
  # Explicit choices are taken as given; found ones with PTX are passed over where there is no NVIDIA driver.
  if [ "$explicit" = no ] && [[ "$(sdk_backends "$c")" == *ptx* ]] && ! has_libcuda; then
    rejected+=("$c: has the PTX backend, and this machine has no libcuda.so.1"); continue
  fi
  sdk=$c
  break
done < <(candidates "$@")

if [ -z "$sdk" ]; then
  say "no TornadoVM 5.2.x SDK for JDK 25 found."
  for r in "${rejected[@]+"${rejected[@]}"}"; do say "  passed over $r"; done
  cat >&2 <<EOF
[setup-tornado] Install one, then run this script again (or pass the SDK folder as its argument):
  - the official SDK: download tornadovm-${version}-opencl-linux-amd64 (or -ptx for NVIDIA GPUs) from
    https://github.com/beehive-lab/TornadoVM/releases, unpack it, and export TORNADOVM_HOME=<its tornadovm-* folder>;
  - SDKMAN: sdk install tornadovm   (the candidate for JDK 25, ${version});
  - or build it from source as TornadoVM's INSTALL_FROM_SOURCE.md describes (make BACKEND=opencl, with a JDK 25),
    outside this repository.
The GPU kernels are optional: without an SDK the rest of the project builds and tests as usual.
EOF
  exit 1
fi

v=$(sdk_version "$sdk")
say "SDK: $sdk"
say "version $v, backends: $(sdk_backends "$sdk"), JDK: $JAVA_HOME"

# The SDK is relocatable: its argfile names TORNADOVM_HOME, so it is regenerated for where it lies now.
argfile="$sdk/tornado-argfile"
if [ -f "$sdk/tornado-argfile.template" ]; then
  if ! [ -w "$sdk" ]; then argfile=$(mktemp -t tornado-argfile.XXXXXX); fi
  sed "s|\${TORNADOVM_HOME}|$sdk|g" "$sdk/tornado-argfile.template" > "$argfile"
elif ! [ -f "$argfile" ]; then
  say "the SDK has neither tornado-argfile nor tornado-argfile.template: is it complete?"
  exit 1
fi

say "devices:"
if query=$(cd "$sdk" && TORNADOVM_HOME="$sdk" java @"$argfile" uk.ac.manchester.tornado.drivers.TornadoDeviceQuery 2>&1); then
  grep -v '^WARNING: Using incubator modules' <<<"$query" | sed 's/^/    /'
else
  grep -v '^WARNING: Using incubator modules' <<<"$query" | grep -v '^[[:space:]]*at ' | head -n 3 | sed 's/^/    /'
  say "the device query failed (no OpenCL/CUDA driver here?); the kernels will still compile, their tests will skip"
fi

# Maven Central first (the jars may be published under these coordinates), then the SDK's own jars.
install_artifact() {
  local a=$1 jar
  if "$root/mvn25" -q -N dependency:get -Dartifact="$group:$a:$version" -Dtransitive=false >/dev/null 2>&1; then
    say "$group:$a:$version resolved by Maven"
    return 0
  fi
  jar=$(compgen -G "$sdk/share/java/tornado/$a-*.jar" | grep -v -- '-sources\|-javadoc' | head -n1 || true)
  if [ -z "$jar" ]; then say "the SDK has no $a jar"; return 1; fi
  "$root/mvn25" -q -N install:install-file -Dfile="$jar" -DgroupId="$group" -DartifactId="$a" -Dversion="$version" \
    -Dpackaging=jar -DgeneratePom=true >/dev/null
  say "installed $(basename "$jar") as $group:$a:$version in the local Maven repository"
}
for a in "${artifacts[@]}"; do install_artifact "$a"; done

cat <<EOF
[setup-tornado] Ready. Before building, export:
    export JAVA_HOME=$JAVA_HOME
    export TORNADOVM_HOME=$sdk
    export PATH="\$TORNADOVM_HOME/bin:\$JAVA_HOME/bin:\$PATH"
  then: ./mvn25 -pl tornado-kernels -am test
EOF
