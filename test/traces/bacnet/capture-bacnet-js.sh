#!/usr/bin/env bash
# Records test/traces/bacnet/bacnet-js-control.pcap: three @bacnet-js/client stacks, each in a network namespace
# this script creates (device 192.168.78.10, workstation .20, rogue host .30), joined by a bridge inside the
# device's namespace; no packet leaves them. Needs root (ip netns, dumpcap) and @bacnet-js/client installed outside
# the project: mkdir /tmp/otb-gen && cd /tmp/otb-gen && npm install @bacnet-js/client@3.3.2
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/bacnet-js-control.pcap"
node="${NODE:-node}"
export BACNET_MODULE="${BACNET_MODULE:-/tmp/otb-gen/node_modules/@bacnet-js/client/dist/index.js}"
dev=bw-bn-dev ws=bw-bn-ws rogue=bw-bn-rogue
cleanup() { for n in "$dev" "$ws" "$rogue"; do ip netns del "$n" 2>/dev/null || true; done; }
trap cleanup EXIT
cleanup
for n in "$dev" "$ws" "$rogue"; do ip netns add "$n"; done
ip -n "$dev" link add bw-br type bridge
ip -n "$dev" addr add 192.168.78.10/24 dev bw-br
ip -n "$dev" link set bw-br up
for pair in "$ws:20" "$rogue:30"; do
  ns="${pair%%:*}" host="${pair##*:}"
  ip link add "bw-bn-p$host" netns "$dev" type veth peer name "bw-bn-h$host" netns "$ns"
  ip -n "$dev" link set "bw-bn-p$host" master bw-br up
  ip -n "$ns" addr add "192.168.78.$host/24" dev "bw-bn-h$host"
  ip -n "$ns" link set "bw-bn-h$host" up
done
ip netns exec "$dev" dumpcap -q -i bw-br -f "udp port 47808" -w "$out.pcapng" &
dump=$!
MY_IP=192.168.78.10 ip netns exec "$dev" "$node" "$here/capture-bacnet-js.mjs" device &
device=$!
sleep 3
MY_IP=192.168.78.20 ip netns exec "$ws" "$node" "$here/capture-bacnet-js.mjs" workstation
MY_IP=192.168.78.30 ip netns exec "$rogue" "$node" "$here/capture-bacnet-js.mjs" rogue
kill "$device"
wait "$device" || true
sleep 1
kill "$dump"
wait "$dump" || true
editcap -F pcap "$out.pcapng" "$out"
rm "$out.pcapng"
echo "wrote $out"
