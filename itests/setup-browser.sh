#!/bin/sh
# Installs the headless browser of WebConsoleIT (Debian's chromium and its chromedriver) when it is
# missing; .ci/run calls it before the build. Without root or apt-get it says why and leaves it: the
# test then skips, saying what is missing.
set -u
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: chromium/chromedriver missing and cannot be installed here (needs root and apt-get); WebConsoleIT will skip" >&2
  exit 0
fi
echo "setup-browser: installing chromium and chromium-driver (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends chromium chromium-driver >/dev/null; }; then
  echo "setup-browser: apt-get could not install chromium; WebConsoleIT will skip" >&2
fi
exit 0
