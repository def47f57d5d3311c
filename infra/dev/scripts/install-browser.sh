#!/usr/bin/env bash
# Installs Debian's Chromium for the console's browser test (e2e/src/console.spec.ts), which drives
# it through playwright-core. Idempotent: does nothing when /usr/bin/chromium is already there.
# Needs root (or sudo) and apt; CI (.ci/run) calls it before npm test.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium is installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-browser: no apt-get here; install Chromium so that /usr/bin/chromium exists, then run the browser test" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else echo "install-browser: run as root (apt-get install chromium)" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core  # a font, or the screenshots show no text
/usr/bin/chromium --version
