#!/usr/bin/env bash
# Install a headless Java runtime for the Spark tests (PySpark needs Java 17+).
# Tolerant like install-chromium.sh: when the install fails it says so and exits 0; the Spark
# tests then skip with a message, or fail when CI=true.
set -u

if [ -n "${JAVA_HOME:-}" ] || command -v java >/dev/null 2>&1; then
  echo "install-java: java already present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-java: apt-get not available; Spark tests will skip (fail under CI=true)" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "install-java: not root and no sudo; Spark tests will skip (fail under CI=true)" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q --no-install-recommends default-jre-headless >/dev/null; then
  echo "install-java: installed $(java -version 2>&1 | head -n1)"
else
  echo "install-java: apt-get install default-jre-headless failed; Spark tests will skip (fail under CI=true)" >&2
fi
exit 0
