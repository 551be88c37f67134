# syntax=docker/dockerfile:1
# One image, two commands (docs/deployment.md):
#   API:    node dist/api/main.js      (the default)
#   worker: node --max-semi-space-size=4 --max-old-space-size=128 dist/workers/main.js
# docker-compose.yml builds it and runs both.

# Build tools: better-sqlite3 compiles from source when no prebuilt binary fits.
FROM node:24-bookworm-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

# Compile TypeScript to dist/. Dependencies first, so a code change reuses their layer. tsc needs
# no native addon, so no install script runs here (they compile in prod-deps, for the image).
FROM toolchain AS build
RUN npm ci --ignore-scripts --no-audit --no-fund
# Everything .dockerignore lets through: a new source folder needs no edit here.
COPY . .
# The build's incremental state (tsconfig.build.json) is no part of what the image runs.
RUN npm run build && rm dist/.tsbuildinfo

# Production dependencies only, compiled for this platform.
FROM toolchain AS prod-deps
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
# In a container, listen on all interfaces: the published ports reach the container's own address.
# Two malloc arenas, not 8 per core: the worker's RSS (WORKER_PROCESS_ENV, workers/worker-sizing.ts).
ENV NODE_ENV=production \
    AIRLOCK_API_HOST=0.0.0.0 \
    AIRLOCK_WORKER_METRICS_HOST=0.0.0.0 \
    MALLOC_ARENA_MAX=2
WORKDIR /app
# Owned by root and read-only to the app: a compromised process cannot rewrite its own code.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config/example-policy.yaml ./config/
# The console's stylesheet and script (tsc copies only what it compiles into dist/).
COPY api/console/assets ./api/console/assets/
COPY deploy/healthcheck.js ./deploy/
# The default state folder (SQLite audit file, principals) is the only place the app may write.
RUN mkdir .airlock && chown node:node .airlock
USER node
EXPOSE 8080 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "deploy/healthcheck.js"]
CMD ["node", "dist/api/main.js"]
