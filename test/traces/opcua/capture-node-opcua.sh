#!/usr/bin/env bash
# Records test/traces/opcua/node-opcua-sessions.pcap: a node-opcua server and client talking over the loopback
# interface only (127.0.0.1:4840), captured with dumpcap. Needs root (dumpcap) and node-opcua installed outside
# the project: mkdir /tmp/otb-gen && cd /tmp/otb-gen && npm install node-opcua@2.186.4
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/node-opcua-sessions.pcap"
export OPCUA_MODULE="${OPCUA_MODULE:-/tmp/otb-gen/node_modules/node-opcua/dist/index.js}"
dumpcap -q -i lo -f "tcp port 4840" -w "$out.pcapng" &
dump=$!
sleep 1
"${NODE:-node}" "$here/capture-node-opcua.mjs"
sleep 1
kill "$dump"
wait "$dump" || true
editcap -F pcap "$out.pcapng" "$out"
rm "$out.pcapng"
echo "wrote $out"
