#!/usr/bin/env bash
# Builds the Godot 4 peer for the interop tests: a minimal Debian sid chroot holding Debian's
# `godot` package (Godot 4.6), which needs sid's C library. Run as root.
#
#   jenet-interop/godot4/make-chroot.sh [DIR]
#
# DIR defaults to $JENET_GODOT4_ROOT, else /var/cache/jenet/godot4-sid (where the tests look,
# unless JENET_GODOT4_ROOT says otherwise). Idempotent: does nothing if DIR/usr/bin/godot exists.
# Takes about a minute and 0.6 GB. The tests run `chroot DIR godot --headless -s SCRIPT`; the
# chroot shares the host's network namespace, so Godot and jenet talk over loopback.
set -euo pipefail

DIR="${1:-${JENET_GODOT4_ROOT:-/var/cache/jenet/godot4-sid}}"
MIRROR="${JENET_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [ -x "$DIR/usr/bin/godot" ]; then
  echo "make-chroot: $DIR/usr/bin/godot exists; nothing to do"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "make-chroot: must run as root (debootstrap and chroot need it)" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

mkdir -p "$DIR"
# A half-finished earlier run leaves debootstrap's marker behind; start that part again.
if [ ! -x "$DIR/usr/bin/apt-get" ] || [ -e "$DIR/debootstrap/debootstrap.log" ]; then
  debootstrap --variant=minbase sid "$DIR" "$MIRROR"
fi
cp /etc/resolv.conf "$DIR/etc/resolv.conf"
# sid's Release file can be past its validity date on mirrors; the tests only need the packages.
chroot "$DIR" env DEBIAN_FRONTEND=noninteractive \
  apt-get -o Acquire::Check-Valid-Until=false -qq update
chroot "$DIR" env DEBIAN_FRONTEND=noninteractive \
  apt-get -o Acquire::Check-Valid-Until=false install -y -qq --no-install-recommends godot >/dev/null
chroot "$DIR" apt-get clean
chroot "$DIR" godot --version
echo "make-chroot: Godot 4 ready in $DIR"
