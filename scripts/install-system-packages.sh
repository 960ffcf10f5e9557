#!/usr/bin/env bash
# Installs the Debian packages PartyBuild needs, where apt is available and they are missing:
# Pango for WeasyPrint, a CJK font for PDFs, Chromium for the browser tests, poppler for PDF checks,
# wrk for bench_pages; with WITH_PRINTING=1, LibreOffice to print the exports.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk chromium poppler-utils wrk)
if [ "${WITH_SERVICES:-0}" = 1 ]; then packages+=(postgresql redis-server); fi
# LibreOffice prints the exports for tests/kernel/test_printable_exports.py (bench); Carlito is Calibri's metric twin
if [ "${WITH_PRINTING:-0}" = 1 ]; then packages+=(libreoffice-calc-nogui fonts-crosextra-carlito); fi
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "缺少系统软件包：${missing[*]}；本机没有 apt-get，请手动安装。" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "安装系统软件包：${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
