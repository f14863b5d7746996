#!/bin/sh
# Renders build/icon.svg to the PNG sizes electron-builder takes for Linux
# (build/icons/NxN.png). Needs rsvg-convert (Debian package librsvg2-bin).
# Run it after changing icon.svg and commit the PNGs.
set -e
cd "$(dirname "$0")"
mkdir -p icons
for n in 16 24 32 48 64 128 256 512; do
    rsvg-convert -w "$n" -h "$n" icon.svg -o "icons/${n}x${n}.png"
done
