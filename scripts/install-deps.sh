#!/usr/bin/env bash
# Installs the Debian packages a target needs, if any are missing.
# Usage: scripts/install-deps.sh run|test|bench
set -euo pipefail

# Packages for building and running the gateway: FFmpeg 5.1's libraries for
# transcoding (through cgo).
RUN_PKGS=(pkg-config libavcodec-dev libavdevice-dev libavfilter-dev libavformat-dev libavutil-dev
  libswscale-dev libswresample-dev)
# Independent peers the tests talk to: tshark decodes what we send, Erlang's
# asn1 is a second PER encoder, SIPp and baresip are SIP peers.
# Chromium (driven by playwright-core from npm) is the WebRTC peer, coturn
# its TURN server.
TEST_PKGS=(tshark erlang-base erlang-asn1 sip-tester baresip-core baresip-ffmpeg ffmpeg chromium coturn)
# Side-by-side benchmark baselines.
BENCH_PKGS=(kamailio rtpengine-daemon janus)

case "${1:-}" in
  run)   want=("${RUN_PKGS[@]}") ;;
  test)  want=("${RUN_PKGS[@]}" "${TEST_PKGS[@]}") ;;
  bench) want=("${RUN_PKGS[@]}" "${TEST_PKGS[@]}" "${BENCH_PKGS[@]}") ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "not root and no sudo: install these packages first: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
