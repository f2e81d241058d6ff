#!/usr/bin/env bash
# Installs the Debian packages the checks need when they are missing: a C/C++ toolchain and
# CMake for the addon and the stand-in, clang-format for the format check, redis-server for the
# result-cache and fleet tests, chromium for the dashboard test.
set -euo pipefail
missing=()
need() { command -v "$1" >/dev/null || missing+=("$2"); }
need cmake cmake
need g++ g++
need make make
need clang-format clang-format
need redis-server redis-server
need chromium chromium
if [ ${#missing[@]} -eq 0 ]; then
  echo "system tools present: cmake g++ make clang-format redis-server chromium"
  exit 0
fi
echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
