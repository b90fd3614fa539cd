#!/usr/bin/env bash
# Install the Debian 12 packages trapvisor needs, only those missing.
# Run as root (or with sudo available). Safe to run again.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang clang-format libclang-rt-14-dev git
  libunicorn-dev libcapstone-dev libelf-dev libcjson-dev libcunit1-dev
  gcc-mips-linux-gnu binutils-mips-linux-gnu
  libfdt-dev device-tree-compiler libinih-dev libtpms-dev libssl-dev
  libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev fonts-dejavu-core xvfb xauth
  python3-matplotlib gdb-multiarch
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
