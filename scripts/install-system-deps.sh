#!/usr/bin/env bash
# Installs the Debian packages DeepRL needs beyond the .NET SDK:
#   libsdl2-2.0-0  live viewer window (deeprl watch)
#   ffmpeg         video recording (deeprl record, --video-every)
#   xvfb, xauth    a virtual display for headless machines and the window tests
#   libfontconfig1 fonts for SkiaSharp text in frames
#   python3-onnx, python3-numpy  independent checkers of exported ONNX policies in the tests (ONNX's checker, a NumPy evaluator)
#   iproute2       network namespaces for the cluster test that cuts a node off the network (ip netns)
# Only missing packages are installed; nothing happens on a machine that has them all.
set -euo pipefail

packages=(libsdl2-2.0-0 ffmpeg xvfb xauth libfontconfig1 fonts-dejavu-core python3-onnx python3-numpy iproute2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "error: missing packages ${missing[*]} and no apt-get here; install them with your package manager." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "error: installing ${missing[*]} needs root; run as root or install sudo." >&2
    exit 1
  fi
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
