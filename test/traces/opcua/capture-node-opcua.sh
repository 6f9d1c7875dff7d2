#!/usr/bin/env bash
# Records test/traces/opcua/node-opcua-sessions.pcap: a node-opcua server (192.168.77.10:4840) and client
# (192.168.77.20), each in a network namespace this script creates, joined by a veth pair: no packet leaves them.
# Needs root (ip netns, dumpcap) and node-opcua installed outside the project:
#   mkdir /tmp/otb-gen && cd /tmp/otb-gen && npm install node-opcua@2.186.4
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/node-opcua-sessions.pcap"
node="${NODE:-node}"
export OPCUA_MODULE="${OPCUA_MODULE:-/tmp/otb-gen/node_modules/node-opcua/dist/index.js}"
export SERVER_IP=192.168.77.10
srv=bw-ua-srv cli=bw-ua-cli
cleanup() { ip netns del "$srv" 2>/dev/null || true; ip netns del "$cli" 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add "$srv"
ip netns add "$cli"
ip link add bw-ua-s netns "$srv" type veth peer name bw-ua-c netns "$cli"
ip -n "$srv" addr add 192.168.77.10/24 dev bw-ua-s
ip -n "$cli" addr add 192.168.77.20/24 dev bw-ua-c
ip -n "$srv" link set bw-ua-s up
ip -n "$cli" link set bw-ua-c up
ip netns exec "$srv" dumpcap -q -i bw-ua-s -f "tcp port 4840" -w "$out.pcapng" &
dump=$!
ip netns exec "$srv" "$node" "$here/capture-node-opcua.mjs" server &
server=$!
sleep 8
ip netns exec "$cli" "$node" "$here/capture-node-opcua.mjs" client
kill "$server"
wait "$server" || true
sleep 1
kill "$dump"
wait "$dump" || true
editcap -F pcap "$out.pcapng" "$out"
rm "$out.pcapng"
echo "wrote $out"
