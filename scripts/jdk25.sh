# Sourced by the project's scripts: points JAVA_HOME at a JDK 25, because the machine's default java may be older.
# Order: an explicit JAVA_HOME that is 25, then `java` on the PATH if it is 25, then the usual install folders.
commvq_is_jdk25() { [ -x "$1/bin/javac" ] && "$1/bin/java" -version 2>&1 | head -n1 | grep -q '"25'; }
commvq_find_jdk25() {
  if [ -n "${JAVA_HOME:-}" ] && commvq_is_jdk25 "$JAVA_HOME"; then return 0; fi
  local j
  if j=$(command -v javac 2>/dev/null); then
    j=$(dirname "$(dirname "$(readlink -f "$j")")")
    if commvq_is_jdk25 "$j"; then JAVA_HOME=$j; export JAVA_HOME; return 0; fi
  fi
  for j in /usr/lib/jvm/*25* /usr/lib/jvm/*-25-* /opt/java/*25* "$HOME"/.sdkman/candidates/java/25*; do
    if [ -d "$j" ] && commvq_is_jdk25 "$j"; then JAVA_HOME=$j; export JAVA_HOME; return 0; fi
  done
  echo "error: no JDK 25 found (looked at JAVA_HOME, the PATH and /usr/lib/jvm); install Temurin 25 or set JAVA_HOME to a JDK 25" >&2
  return 1
}
