#!/usr/bin/env bash
# Builds the Dockerfile with podman and checks the image for real: RESP through the
# published port, protected mode (off by default, refusing outside clients when on), the HEALTHCHECK, a non-root server process as PID 1, production
# dependencies only, and a clean SIGTERM stop. Prints PASS/FAIL per check and exits
# non-zero on any failure; if podman cannot build or run, that is a failure too.
#
# No Docker engine or image registry is assumed: the base image is a Debian bookworm
# rootfs (debootstrap, cached in $NODEFLY_ROOTFS_CACHE) plus this machine's Node and
# npm, imported as localhost/node20-local. Needs root (re-runs itself with sudo),
# apt and a Debian mirror for the first run, and the npm registry for `npm ci`.
set -euo pipefail

[ "$(id -u)" -eq 0 ] || exec sudo --preserve-env=NODEFLY_ROOTFS_CACHE bash "$0" "$@"
# Every podman call runs in one private mount namespace with the cgroup2 mount
# hidden: on this kind of VM (hybrid cgroups) podman cannot set up containers
# otherwise, and `podman exec` must see the mounts made by `podman run`.
if [ "${NODEFLY_VERIFY_NAMESPACE:-}" != private ]; then
    NODEFLY_VERIFY_NAMESPACE=private exec unshare --mount --propagation private bash "$0" "$@"
fi
umount /sys/fs/cgroup/unified 2> /dev/null || true
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ROOTFS=${NODEFLY_ROOTFS_CACHE:-/var/cache/nodefly-rootfs}
BASE_IMAGE=localhost/node20-local
IMAGE=localhost/nodefly-verify:$$
CONTAINER=nodefly-verify-$$
# This machine's limits: podman's defaults (and higher nproc values) are refused.
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1000:1000)

section() { printf '\n=== %s (at %d s) ===\n' "$*" "$SECONDS"; }
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
die() { echo "FAIL: $*" >&2; exit 1; }

cleanup() {
    podman rm -f -v -t 0 "$CONTAINER" > /dev/null 2>&1 || true
    podman rmi -f "$IMAGE" > /dev/null 2>&1 || true
    rm -f "${podman_errors:-}"
}
trap cleanup EXIT

# The first URI that apt uses for Debian bookworm (deb822 or one-line sources).
bookworm_mirror() {
    local uri
    uri=$(cat /etc/apt/sources.list.d/*.sources 2> /dev/null | awk '
        /^URIs:/ { uris = $2 }
        /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") found = 1 }
        /^[[:space:]]*$/ { if (found && uris != "") { print uris; exit } found = 0; uris = "" }
        END { if (found && uris != "") print uris }' | head -n 1)
    if [ -z "$uri" ]; then
        uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2> /dev/null |
            sed -E 's/\[[^]]*\]//' | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }')
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

section "tools"
missing=()
command -v podman > /dev/null || missing+=(podman)
command -v debootstrap > /dev/null || missing+=(debootstrap)
command -v redis-cli > /dev/null || missing+=(redis-tools)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" > /dev/null
fi
podman --version
podman info > /dev/null 2>&1 || { podman info || true; die "podman cannot run on this machine"; }

section "base image $BASE_IMAGE"
node_version=$(node --version)
[ "${node_version%%.*}" = v20 ] || die "the base image needs Node 20 on this machine, found $node_version"
if [ ! -x "$ROOTFS/usr/bin/apt-get" ]; then
    mirror=$(bookworm_mirror)
    echo "debootstrap bookworm from $mirror into $ROOTFS"
    rm -rf "$ROOTFS.partial"
    mkdir -p "$(dirname "$ROOTFS")"
    debootstrap --variant=minbase bookworm "$ROOTFS.partial" "$mirror" > /tmp/nodefly-debootstrap.log 2>&1 ||
        { tail -n 20 /tmp/nodefly-debootstrap.log; die "debootstrap failed (log: /tmp/nodefly-debootstrap.log)"; }
    rm -rf "$ROOTFS"
    mv "$ROOTFS.partial" "$ROOTFS"
else
    echo "reusing rootfs $ROOTFS"
fi
# Re-import when missing or made from another Node (the label records which).
built_from=$(podman image inspect --format '{{index .Config.Labels "node.version"}}' "$BASE_IMAGE" 2> /dev/null || true)
if [ "$built_from" != "$node_version" ]; then
    npm_dir="$(npm root -g)/npm"
    install -D -m 0755 "$(readlink -f "$(command -v node)")" "$ROOTFS/usr/local/bin/node"
    rm -rf "$ROOTFS/usr/local/lib/node_modules/npm"
    mkdir -p "$ROOTFS/usr/local/lib/node_modules"
    cp -a "$npm_dir" "$ROOTFS/usr/local/lib/node_modules/npm"
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
    # Without this machine's CA bundle, npm ci in the build fails with SELF_SIGNED_CERT_IN_CHAIN.
    install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
    tar -C "$ROOTFS" -c . | podman import \
        --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
        --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' \
        --change "LABEL node.version=$node_version" \
        - "$BASE_IMAGE" > /dev/null
    echo "imported $BASE_IMAGE (node $node_version)"
else
    echo "reusing $BASE_IMAGE (node $node_version)"
fi

section "build"
build_start=$SECONDS
# --format docker keeps the HEALTHCHECK (the OCI image format has no field for it).
podman --cgroup-manager=cgroupfs build --format docker "${ULIMITS[@]}" \
    --build-arg BASE="$BASE_IMAGE" --target runtime -t "$IMAGE" -f Dockerfile . ||
    die "podman build failed"
echo "built in $((SECONDS - build_start)) s"
size_bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "image size: $((size_bytes / 1000000)) MB ($BASE_IMAGE base: $(($(podman image inspect --format '{{.Size}}' "$BASE_IMAGE") / 1000000)) MB)"

section "run"
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
# Without systemd, podman complains that it cannot schedule the HEALTHCHECK timer
# (the check is run by hand below), so its stderr is shown only on failure.
podman_errors=$(mktemp)
podman run -d --name "$CONTAINER" --cgroups=disabled "${ULIMITS[@]}" -p "127.0.0.1:$port:6379" "$IMAGE" > /dev/null 2> "$podman_errors" ||
    { cat "$podman_errors"; die "podman run failed"; }
cli() { timeout 5 redis-cli -h 127.0.0.1 -p "$port" "$@" 2>&1; }
ready=""
for _ in $(seq 1 100); do
    if [ "$(cli PING)" = PONG ]; then ready=1; break; fi
    [ "$(podman inspect --format '{{.State.Running}}' "$CONTAINER")" = true ] || break
    sleep 0.2
done
[ -n "$ready" ] || { podman logs "$CONTAINER" || true; die "server did not answer PING on 127.0.0.1:$port"; }
echo "container $CONTAINER on 127.0.0.1:$port"

section "checks"
pass "PING through the published port"

value="verify-$RANDOM"
reply_set=$(cli SET nodefly:verify "$value")
reply_get=$(cli GET nodefly:verify)
if [ "$reply_set" = OK ] && [ "$reply_get" = "$value" ]; then
    pass "SET/GET through the published port"
else
    fail "SET/GET: SET gave '$reply_set', GET gave '$reply_get'"
fi

# The image must carry the Lua VM (a production dependency) and the Lua libraries (copied by the build).
reply=$(cli EVAL "return cjson.encode({redis.call('GET', KEYS[1])})" 1 nodefly:verify)
if [ "$reply" = "[\"$value\"]" ]; then pass "EVAL with redis.call and cjson"; else fail "EVAL gave '$reply'"; fi

reply=$(cli CONFIG GET protected-mode | tr '\n' ' ')
if [ "$reply" = "protected-mode no " ]; then pass "protected-mode is off"; else fail "CONFIG GET protected-mode: '$reply'"; fi

# With protected mode on and no password, clients from outside the container (the host, through the
# published port) are refused, as in Redis; loopback inside the container still works.
cli CONFIG SET protected-mode yes > /dev/null
reply=$(cli PING)
case "$reply" in
    *DENIED*"protected mode"*) pass "protected-mode yes refuses a client from outside the container (DENIED)" ;;
    *) fail "protected-mode yes: a client from outside got '$reply'" ;;
esac
podman exec "$CONTAINER" node -e 'const s = require("net").connect(6379, "127.0.0.1", () => s.write("*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$14\r\nprotected-mode\r\n$2\r\nno\r\n")); s.on("data", () => s.end());' > /dev/null 2>&1 || true
reply=$(cli PING)
if [ "$reply" = PONG ]; then pass "protected-mode no again (set over loopback inside the container)"; else fail "after CONFIG SET protected-mode no over loopback: PING gave '$reply'"; fi

healthcheck=$(podman image inspect --format '{{json .Config.Healthcheck.Test}}' "$IMAGE" 2>&1 || true)
if podman healthcheck run "$CONTAINER" > /dev/null 2>&1; then
    pass "HEALTHCHECK $healthcheck passes (podman healthcheck run)"
else
    fail "HEALTHCHECK $healthcheck does not pass"
fi
if podman exec "$CONTAINER" node /app/healthcheck.js 1 > /dev/null 2>&1; then
    fail "the healthcheck passes against a closed port"
else
    pass "the healthcheck fails against a closed port"
fi

pid1=$(podman exec "$CONTAINER" sh -c 'echo "$(cat /proc/1/comm) $(awk "/^Uid:/ { print \$2 }" /proc/1/status)"')
pid1_comm=${pid1% *}
pid1_uid=${pid1##* }
if [ "$pid1_comm" = node ]; then pass "node is PID 1"; else fail "PID 1 is '$pid1_comm', not node"; fi
if [ -n "$pid1_uid" ] && [ "$pid1_uid" != 0 ]; then
    pass "the server runs as uid $pid1_uid (not root)"
else
    fail "the server runs as uid '$pid1_uid'"
fi

if podman exec "$CONTAINER" sh -c 'touch /data/.nodefly-verify && rm /data/.nodefly-verify'; then
    pass "/data is writable by the server's user"
else
    fail "/data is not writable by the server's user"
fi

if podman exec "$CONTAINER" sh -c '[ -d /app/node_modules/commander ] && [ ! -e /app/node_modules/typescript ]'; then
    pass "production dependencies only"
else
    fail "node_modules in /app lacks commander or contains typescript"
fi

# An idle client stays connected during the stop, as clients of a real server would.
timeout 30 redis-cli -h 127.0.0.1 -p "$port" BLPOP nodefly:verify:never 0 > /dev/null 2>&1 &
blocked_client=$!
sleep 0.5
stop_start=$(date +%s%N)
podman stop -t 10 "$CONTAINER" > /dev/null 2> "$podman_errors" || cat "$podman_errors"
stop_ms=$((($(date +%s%N) - stop_start) / 1000000))
kill "$blocked_client" 2> /dev/null || true
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$CONTAINER")
logs=$(podman logs "$CONTAINER" 2>&1)
# podman stop sends SIGKILL after 10 s, which would show as exit code 137.
if [ "$exit_code" = 0 ] && [ "$stop_ms" -lt 10000 ] && echo "$logs" | grep -q 'received SIGTERM, shutting down'; then
    pass "SIGTERM stops the server cleanly (exit 0 after $stop_ms ms)"
else
    fail "SIGTERM stop: exit code $exit_code after $stop_ms ms; log tail:"
    echo "$logs" | tail -n 10
fi

section "result"
if [ "$failures" -gt 0 ]; then
    echo "FAIL: $failures check(s) failed"
    exit 1
fi
echo "PASS: all checks"
