#!/bin/sh
# Starts nodefly as PID 1 (exec), so SIGTERM from `docker stop` reaches it.
# Like Redis's official image: without a config file, listen on every interface
# with protected mode off (the container's port is only reachable where it is
# published). With --config, the file decides. Arguments given to
# `docker run IMAGE ...` come last, so they win.
set -e
server=/app/bin/nodefly
for arg in "$@"; do
    case "$arg" in
        --config|--config=*) exec "$server" "$@" ;;
    esac
done
exec "$server" --bind 0.0.0.0 --port 6379 --set protected-mode=no "$@"
