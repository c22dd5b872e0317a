#!/usr/bin/env bash
# suite.sh -- run the upstream Redis 7.0 TCL test suite against nodefly.
#
# Builds the project, then hands over to the shared runner
# (../shared/tools/redis-suite.sh), which starts the server itself via
# --server-cmd, runs the units one by one and prints the per-unit table.
#
# Usage:
#   scripts/suite.sh [--threads N] [--port P] [--server-cmd CMD] [--no-build]
#                    [runner options ...] [unit ...] [-- runtest args ...]
#
#   --threads N       shard threads of the server (default 2)
#   --port P          port to run the server on (default: a free one)
#   --server-cmd CMD  run another server instead of ours; {port} and {threads}
#                     are substituted (default: $NODEFLY_SERVER_CMD, else
#                     `bin/nodefly --port {port} --bind 127.0.0.1 --threads {threads}`)
#                     e.g. --server-cmd "redis-server --port {port} --save ''"
#   --no-build        skip `npm run build`
#   anything else     passed to the runner: --verbose, --fresh, --no-slow, --all,
#                     --unit-timeout S, --tags T, --log-dir D, units, `-- ...`
#                     (see `scripts/suite.sh --help-runner`)
#
# Without units (and without --all) it runs the foundation set below.
#
# Environment:
#   REDIS_SUITE    the runner (default <repo>/../shared/tools/redis-suite.sh)
#   REDIS_MIRROR   git dir of redis/redis (default /work/.mirror/redis+redis/repo
#                  when it exists); the Redis tree is materialized in /tmp by
#                  the runner and must never be copied into this repository.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUITE=${REDIS_SUITE:-$(dirname "$ROOT")/shared/tools/redis-suite.sh}
FOUNDATION_UNITS=(unit/type/string unit/type/incr unit/keyspace unit/expire unit/scan
                  unit/protocol unit/info-command unit/quit)

die() { echo "suite.sh: $*" >&2; exit 2; }

THREADS=2
PORT=""
SERVER_CMD=${NODEFLY_SERVER_CMD:-}
BUILD=1
RUNNER_ARGS=()
HAS_UNITS=0
while [ $# -gt 0 ]; do
    case "$1" in
        --threads) THREADS=${2:?}; shift 2 ;;
        --port) PORT=${2:?}; shift 2 ;;
        --server-cmd) SERVER_CMD=${2:?}; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --help|-h) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        --help-runner) exec bash "$SUITE" --help ;;
        --list) printf '%s\n' "${FOUNDATION_UNITS[@]}"; exit 0 ;;
        # runner options that take a value
        --host|--unit-timeout|--stall-timeout|--tags|--log-dir)
            RUNNER_ARGS+=("$1" "${2?}"); shift 2 ;;
        --all) HAS_UNITS=1; RUNNER_ARGS+=("$1"); shift ;;
        --) RUNNER_ARGS+=("$@"); break ;;
        -*) RUNNER_ARGS+=("$1"); shift ;;
        *) HAS_UNITS=1; RUNNER_ARGS+=("$1"); shift ;;
    esac
done

[ -f "$SUITE" ] || die "runner not found at $SUITE (set REDIS_SUITE)"
if [ -z "${REDIS_MIRROR:-}" ] && [ -d /work/.mirror/redis+redis/repo ]; then
    export REDIS_MIRROR=/work/.mirror/redis+redis/repo
fi

if [ -z "$SERVER_CMD" ]; then
    SERVER_CMD="$ROOT/bin/nodefly --port {port} --bind 127.0.0.1 --threads {threads}"
    if [ $BUILD = 1 ]; then
        echo "suite.sh: building" >&2
        (cd "$ROOT" && npm run --silent build) >&2
    fi
    [ -f "$ROOT/dist/src/cli.js" ] || die "dist/src/cli.js missing (build failed or --no-build)"
fi

if [ -z "$PORT" ]; then
    PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
fi
SERVER_CMD=${SERVER_CMD//\{port\}/$PORT}
SERVER_CMD=${SERVER_CMD//\{threads\}/$THREADS}

# The runner interprets every positional argument as a unit; the `--` tail must stay last.
UNITS=()
[ $HAS_UNITS = 1 ] || UNITS=("${FOUNDATION_UNITS[@]}")
TAIL=()
for i in "${!RUNNER_ARGS[@]}"; do
    if [ "${RUNNER_ARGS[$i]}" = "--" ]; then
        TAIL=("${RUNNER_ARGS[@]:$i}")
        RUNNER_ARGS=("${RUNNER_ARGS[@]:0:$i}")
        break
    fi
done

echo "suite.sh: server: $SERVER_CMD" >&2
exec bash "$SUITE" --port "$PORT" --server-cmd "$SERVER_CMD" \
    "${RUNNER_ARGS[@]}" "${UNITS[@]}" "${TAIL[@]}"
