# nodefly server image. The base is an argument so machines that cannot pull
# node:20-bookworm-slim can build on a local Node 20 + Debian bookworm image
# (see docker/verify.sh).
ARG BASE=node:20-bookworm-slim

# Dependencies with dev tools (TypeScript), shared by the build and bench stages.
FROM ${BASE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# Compiles the server only, so a broken test or bench file cannot break the image.
FROM deps AS build
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# The comparison harness (docker/compose.yml's bench service). It drives servers
# with redis-benchmark, hence redis-tools.
FROM deps AS bench
RUN apt-get update \
    && apt-get install -y --no-install-recommends redis-tools \
    && rm -rf /var/lib/apt/lists/*
COPY tsconfig.json ./
COPY src ./src
COPY bench ./bench
ENTRYPOINT ["npm", "run", "bench", "--"]

FROM ${BASE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --cache /tmp/npm-cache && rm -rf /tmp/npm-cache
COPY --from=build /src/dist/src ./dist/src
COPY bin ./bin
COPY docker/entrypoint.sh docker/healthcheck.js ./
RUN groupadd --system nodefly \
    && useradd --system --gid nodefly --home-dir /data --no-create-home --shell /usr/sbin/nologin nodefly \
    && mkdir -p /data \
    && chown nodefly:nodefly /data
USER nodefly
WORKDIR /data
VOLUME /data
EXPOSE 6379
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["node", "/app/healthcheck.js"]
# entrypoint.sh execs node, so node is PID 1 and gets SIGTERM from `docker stop`.
ENTRYPOINT ["/app/entrypoint.sh"]
