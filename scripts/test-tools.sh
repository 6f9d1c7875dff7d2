#!/usr/bin/env bash
# Installs the Debian tools the tests compare against or drive, when missing (idempotent):
# tshark/editcap (reference dissections), tcpdump, Chromium (report and dashboard tests), promtool (the
# metrics format check), rsyslogd (the syslog output's receiver), nftables, iproute2 and openssl (MUD
# enforcement in network namespaces, MUD signatures), dumpcap and tcpreplay (live capture into a veth pair
# inside the test's own namespace), softflowd and tcprewrite (flow-export end-to-end test), poppler's
# pdftotext/pdffonts/pdfinfo (the label PDF read back by a real PDF reader).
set -euo pipefail
need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v editcap >/dev/null 2>&1 || need+=(wireshark-common)
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
command -v dumpcap >/dev/null 2>&1 || need+=(wireshark-common)
command -v tcpreplay >/dev/null 2>&1 || need+=(tcpreplay)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v rsyslogd >/dev/null 2>&1 || need+=(rsyslog)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v softflowd >/dev/null 2>&1 || need+=(softflowd)
command -v tcprewrite >/dev/null 2>&1 || need+=(tcpreplay)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need: ${need[*]} (Debian packages). Install them, e.g. sudo apt-get install ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
echo "installing test tools: ${need[*]}" >&2
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${need[@]}" >&2
