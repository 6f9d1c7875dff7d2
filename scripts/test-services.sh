#!/usr/bin/env bash
# Starts the local services the tests talk to when they are installed but not running (idempotent):
# Mosquitto on 127.0.0.1:1883 (MQTT alert output), installed from Debian when missing and we are root;
# PostgreSQL on 127.0.0.1:5432 (the PostgreSQL store), started when installed but down; NATS with JetStream
# on 127.0.0.1:4222 (sensors → central), installed from Debian when missing and we are root, started when
# down. Tests that need a service it could not provide skip, saying so.
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

# PostgreSQL: the store tests connect to postgres://127.0.0.1:5432/test (BULWARK_TEST_POSTGRES overrides).
pg_answers() { if command -v pg_isready >/dev/null 2>&1; then pg_isready -q -h 127.0.0.1 -p 5432; else listening 5432; fi; }
if [ -z "${BULWARK_TEST_POSTGRES:-}" ] && ! pg_answers; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing postgresql for the PostgreSQL store tests" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >&2 || true
  fi
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
    done
    for _ in $(seq 1 30); do pg_answers && break; sleep 0.5; done
  fi
  pg_answers || echo "note: no PostgreSQL on 127.0.0.1:5432; the PostgreSQL store tests will be skipped" >&2
fi
# The tests connect as this user and make their own schemas in the database 'test'. On a fresh server (only
# the postgres role, peer authentication on the socket) root makes both, through the postgres account.
if [ -z "${BULWARK_TEST_POSTGRES:-}" ] && pg_answers && [ "$(id -u)" = 0 ] && command -v runuser >/dev/null 2>&1 && id postgres >/dev/null 2>&1; then
  as_pg() { runuser -u postgres -- psql -X -q -d postgres "$@" 2>/dev/null; }
  me="$(id -un)"
  as_pg -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$me'" | grep -q 1 || as_pg -c "CREATE ROLE \"$me\" LOGIN SUPERUSER" >&2 || true
  as_pg -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 || as_pg -c 'CREATE DATABASE test' >&2 || true
fi

# NATS with JetStream. The fleet tests start private nats-server processes (own port and storage, so they can
# stop and kill them); the one on 4222 is for trying the README's set-up by hand.
if ! listening 4222; then
  nats_bin="$(command -v nats-server || true)"
  [ -z "$nats_bin" ] && [ -x /usr/sbin/nats-server ] && nats_bin=/usr/sbin/nats-server
  if [ -z "$nats_bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing nats-server for the NATS tests" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nats-server >&2 || true
    nats_bin="$(command -v nats-server || true)"
    [ -z "$nats_bin" ] && [ -x /usr/sbin/nats-server ] && nats_bin=/usr/sbin/nats-server
  fi
  if [ -n "$nats_bin" ]; then
    if [ "$(id -u)" = 0 ] && command -v start-stop-daemon >/dev/null 2>&1; then
      mkdir -p /var/lib/nats-server
      start-stop-daemon --start --oknodo --background --exec "$nats_bin" -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log >&2 || true
    else
      mkdir -p "${TMPDIR:-/tmp}/bulwark-nats"
      nohup "$nats_bin" -a 127.0.0.1 -p 4222 -js -sd "${TMPDIR:-/tmp}/bulwark-nats" >/dev/null 2>&1 &
    fi
    for _ in $(seq 1 20); do listening 4222 && break; sleep 0.3; done
  fi
  listening 4222 || echo "note: no NATS on 127.0.0.1:4222 (the fleet tests use their own nats-server when one is installed)" >&2
fi
exit 0
