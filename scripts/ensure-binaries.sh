#!/usr/bin/env bash
# Makes sure the system binaries Storage V2 runs are present: nats-server and ffmpeg
# (and chromium for the browser tests with --with-browser; nginx and wrk, the baseline and
# load generator of `npm run bench:serve`, with --with-serve-bench; rclone, the baseline of
# `npm run bench:archiver`, with --with-rclone). Installs them with apt-get when running as
# root; otherwise says exactly what to install.
set -euo pipefail

need=()
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
{ command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; } || need+=(ffmpeg)
for flag in "$@"; do
  case "$flag" in
    --with-browser) command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || need+=(chromium) ;;
    --with-serve-bench)
      command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
      command -v wrk >/dev/null 2>&1 || need+=(wrk)
      ;;
    --with-rclone) command -v rclone >/dev/null 2>&1 || need+=(rclone) ;;
  esac
done

if [[ ${#need[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-binaries: installing ${need[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
  exit 0
fi

echo "ensure-binaries: missing ${need[*]}." >&2
echo "Install them first, e.g. on Debian/Ubuntu: sudo apt-get install -y ${need[*]}" >&2
echo "(macOS: brew install ${need[*]/chromium/--cask chromium})" >&2
exit 1
