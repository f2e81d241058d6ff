#!/usr/bin/env bash
# Installs the Debian packages the checks need when they are missing: a C/C++ toolchain and
# CMake for the addon and the stand-in, clang-format for the format check.
set -euo pipefail
missing=()
command -v cmake >/dev/null || missing+=(cmake)
command -v g++ >/dev/null || missing+=(g++)
command -v make >/dev/null || missing+=(make)
command -v clang-format >/dev/null || missing+=(clang-format)
if [ ${#missing[@]} -eq 0 ]; then
  echo "system tools present: cmake g++ make clang-format"
  exit 0
fi
echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
