#!/usr/bin/env bash
# Queue-mode end-to-end test (npm run test:e2e:queue): real n8n in queue mode (one main process,
# two `n8n worker`s, Redis, Postgres) importing leads into the Marketo emulator.
#
# This script provides the services, then runs jest with test/e2e/queue/jest.queue.config.js:
#   - Redis (Debian's redis-server) and Postgres (Debian's postgresql), installed when missing
#     (apt-get when root; otherwise it says what to install), started on free loopback ports
#     with their data in one temporary folder: never as system services.
#   - Postgres refuses to run as root: as root, initdb/postgres run as the `postgres` account
#     the Debian package creates (the temporary folder is made readable by it).
#   - Everything is stopped and the folder removed at the end, also on failure, Ctrl-C or
#     SIGTERM: jest's n8n processes (their process groups are listed in $WORK/pgids), then any
#     process still working in the folder, then Postgres and Redis.
#
# Usage: scripts/e2e/queue/run.sh [jest arguments...]
# Env:   N8N_E2E_LINES=1|2       one n8n line only (default: both, 1.123.81 and 2.41.1)
#        N8N_E2E_KEEP=1          keep the temporary folder (services are still stopped)
#        N8N_E2E_SKIP_BUILD=1    pack the existing dist/ (CI builds first)
#        QUEUE_E2E_VERBOSE=1     print service commands
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
REPO=$(pwd)

log() { echo "[queue-e2e] $*"; }
fail() {
	echo "[queue-e2e] ERROR: $*" >&2
	exit 1
}
now_ms() { date +%s%3N; }
T_START=$(now_ms)

# --- Services: install when missing -------------------------------------------------------
pg_bindir() {
	# Highest installed major: /usr/lib/postgresql/<major>/bin
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then echo "$d"; fi
}

missing_pkgs=()
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || missing_pkgs+=(redis-server)
[ -n "$(pg_bindir)" ] || missing_pkgs+=(postgresql)
if [ ${#missing_pkgs[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		t0=$(now_ms)
		log "installing ${missing_pkgs[*]} (apt-get; the services are not started by the package here)"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >/dev/null
		log "apt-get install ${missing_pkgs[*]} took $(($(now_ms) - t0)) ms"
	else
		fail "missing ${missing_pkgs[*]}. Install them first, e.g.: sudo apt-get install -y --no-install-recommends ${missing_pkgs[*]}
(Debian/Ubuntu packages; the test starts its own Redis and Postgres on free ports, it does not use system services)"
	fi
fi
PG_BIN=$(pg_bindir)
[ -n "$PG_BIN" ] || fail "postgresql is installed but no /usr/lib/postgresql/*/bin/initdb was found"
command -v redis-server >/dev/null 2>&1 || fail "redis-server is still missing after the install"

# Postgres refuses to run as root: use the account the Debian package creates.
AS_PG=()
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || fail "running as root, but there is no 'postgres' user to run Postgres as (it comes with Debian's postgresql package)"
	if command -v runuser >/dev/null 2>&1; then
		AS_PG=(runuser -u postgres --)
	else
		AS_PG=(su postgres -s /bin/sh -c '"$0" "$@"')
	fi
fi

# --- Temporary folder and cleanup ---------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/n8n-queue-e2e.XXXXXX")
# Postgres (as the postgres user) must reach its data folder below it.
chmod 755 "$WORK"
mkdir -p "$WORK/tmp" "$WORK/redis" "$WORK/pg"
: >"$WORK/pgids"
REDIS_PID=""
PG_STARTED=0
JEST_PID=""
CLEANED=0

# Processes working in $WORK (cwd) or started with it in their environment, except this shell
# and Postgres/Redis (stopped in order below).
work_pids() {
	local pid comm
	for pid in $(ls /proc | grep -E '^[0-9]+$'); do
		[ "$pid" = "$$" ] && continue
		if readlink "/proc/$pid/cwd" 2>/dev/null | grep -q "^$WORK" ||
			grep -qaF "$WORK" "/proc/$pid/environ" 2>/dev/null; then
			comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
			case "$comm" in postgres | redis-server) continue ;; esac
			echo "$pid"
		fi
	done
}

# Process groups listed by the test (n8n main/workers), then anything still running with its
# working folder or environment in $WORK (n8n CLI commands, task runners, a stray jest).
kill_leftovers() {
	local sig=$1 pgid pid
	while read -r pgid; do
		[ -n "$pgid" ] && kill "-$sig" -- "-$pgid" 2>/dev/null || true
	done <"$WORK/pgids"
	for pid in $(work_pids); do kill "-$sig" "$pid" 2>/dev/null || true; done
}

leftovers_alive() {
	local pgid pid
	while read -r pgid; do
		[ -n "$pgid" ] && kill -0 -- "-$pgid" 2>/dev/null && return 0
	done <"$WORK/pgids"
	[ -n "$(work_pids)" ]
}

cleanup() {
	local rc=$?
	[ "$CLEANED" = 1 ] && return
	CLEANED=1
	trap - INT TERM
	set +e
	if [ -n "$JEST_PID" ] && kill -0 "$JEST_PID" 2>/dev/null; then
		log "stopping jest (pid $JEST_PID)"
		kill -TERM "$JEST_PID" 2>/dev/null
	fi
	kill_leftovers TERM
	for _ in $(seq 1 100); do
		leftovers_alive || break
		sleep 0.1
	done
	if leftovers_alive; then
		log "some processes did not stop within 10 s: SIGKILL"
		kill_leftovers KILL
		sleep 0.5
	fi
	if [ "$PG_STARTED" = 1 ]; then
		"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
			{
				local pm
				pm=$(head -n 1 "$WORK/pg/data/postmaster.pid" 2>/dev/null)
				[ -n "$pm" ] && kill -KILL "$pm" 2>/dev/null
			}
	fi
	if [ -n "$REDIS_PID" ]; then
		kill -TERM "$REDIS_PID" 2>/dev/null
		for _ in $(seq 1 50); do
			kill -0 "$REDIS_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$REDIS_PID" 2>/dev/null
	fi
	# Postgres' children, if the postmaster was killed hard.
	for pid in $(ls /proc | grep -E '^[0-9]+$'); do
		readlink "/proc/$pid/cwd" 2>/dev/null | grep -q "^$WORK" && kill -KILL "$pid" 2>/dev/null
	done
	if [ "${N8N_E2E_KEEP:-0}" = 1 ]; then
		log "kept $WORK (n8n logs in $WORK/tmp/*/; Postgres log $WORK/pg/log; Redis log $WORK/redis/log)"
	else
		rm -rf "$WORK"
	fi
	log "total $(($(now_ms) - T_START)) ms, exit $rc"
	exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

tail_file() { [ -f "$1" ] && tail -n 30 "$1" | sed 's/^/    /' >&2 || true; }

# --- Redis --------------------------------------------------------------------------------
t0=$(now_ms)
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK/redis" --daemonize yes \
	--pidfile "$WORK/redis/redis.pid" --logfile "$WORK/redis/log" --save "" --appendonly no >/dev/null
for _ in $(seq 1 100); do
	[ -s "$WORK/redis/redis.pid" ] && REDIS_PID=$(cat "$WORK/redis/redis.pid")
	[ -n "$REDIS_PID" ] && [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
	sleep 0.1
done
if [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" != PONG ]; then
	echo "[queue-e2e] Redis did not answer PING on 127.0.0.1:$REDIS_PORT within 10 s; its log:" >&2
	tail_file "$WORK/redis/log"
	exit 1
fi
log "Redis $(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/') on 127.0.0.1:$REDIS_PORT (pid $REDIS_PID, $(($(now_ms) - t0)) ms)"

# --- Postgres -----------------------------------------------------------------------------
t0=$(now_ms)
PG_PORT=$(free_port)
mkdir -p "$WORK/pg/data" "$WORK/pg/sock"
if [ "$(id -u)" = 0 ]; then chown -R postgres: "$WORK/pg"; fi
if ! "${AS_PG[@]}" "$PG_BIN/initdb" -D "$WORK/pg/data" -U n8n --auth=trust -E UTF8 --no-sync >"$WORK/pg/initdb.log" 2>&1; then
	echo "[queue-e2e] initdb failed:" >&2
	tail_file "$WORK/pg/initdb.log"
	exit 1
fi
# A throw-away test database: loopback only, its own socket folder, no durability.
cat >>"$WORK/pg/data/postgresql.conf" <<CONF
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK/pg/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF
if ! "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -t 60 start >/dev/null 2>&1; then
	echo "[queue-e2e] Postgres did not start on 127.0.0.1:$PG_PORT; its log:" >&2
	tail_file "$WORK/pg/log"
	exit 1
fi
PG_STARTED=1
log "Postgres $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT as $("${AS_PG[@]}" id -un) ($(($(now_ms) - t0)) ms)"

# --- jest ---------------------------------------------------------------------------------
export QUEUE_E2E_DIR="$WORK"
export QUEUE_E2E_PGIDS_FILE="$WORK/pgids"
export QUEUE_E2E_REDIS_PORT="$REDIS_PORT"
export QUEUE_E2E_PG_PORT="$PG_PORT"
export QUEUE_E2E_PG_BIN="$PG_BIN"
# Every temporary file of the run (pack folder, n8n user folders) lives in $WORK.
export TMPDIR="$WORK/tmp"

log "jest: n8n line(s) ${N8N_E2E_LINES:-1 and 2}"
set +e
npx jest -c test/e2e/queue/jest.queue.config.js "$@" &
JEST_PID=$!
wait "$JEST_PID"
rc=$?
set -e
JEST_PID=""
exit "$rc"
