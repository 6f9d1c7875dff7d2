#!/usr/bin/env bash
# Starts the local services the tests talk to when they are installed but not running (idempotent):
# Mosquitto on 127.0.0.1:1883 (MQTT alert output). Installs it from Debian when missing and we are root.
set -euo pipefail
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! listening 1883; then
  if ! command -v mosquitto >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing mosquitto for the MQTT output tests" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mosquitto >&2 || true
    fi
  fi
  if command -v mosquitto >/dev/null 2>&1; then
    conf=/etc/mosquitto/mosquitto.conf
    if [ -f "$conf" ]; then mosquitto -d -c "$conf" || true; else mosquitto -d -p 1883 || true; fi
    for _ in 1 2 3 4 5 6 7 8 9 10; do listening 1883 && break; sleep 0.3; done
  fi
  listening 1883 || echo "note: no MQTT broker on 127.0.0.1:1883; the MQTT output tests will be skipped" >&2
fi
exit 0
