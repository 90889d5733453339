# syntax=docker/dockerfile:1
# CHIS Flow's image: one image for every role (CHIS_ROLE=api|worker|relay, docker-compose.yml).
# Build: docker build -t chis-flow:local .
ARG NODE_IMAGE=node:24-slim

# `npm run build` with devDependencies (TypeScript, vite): the server compiled into dist/, the
# workflow bundle prebuilt (dist/workflow-bundle.js) and the web UI in ui/dist.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime dependencies only: no TypeScript runner, no embedded PostgreSQL binaries, no test SDK.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    CHIS_HOST=0.0.0.0 \
    CHIS_PORT=3000 \
    CHIS_DATA_DIR=/var/lib/chis-flow \
    CHIS_DEMO_CHILDREN=0
WORKDIR /app
# Code and dependencies belong to root and are read-only to the process; it writes only its data folder.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY definitions ./definitions
COPY docker/http-probe.mjs ./docker/http-probe.mjs
COPY --from=build /app/dist ./dist
COPY --from=build /app/ui/dist ./ui/dist
RUN mkdir -p /var/lib/chis-flow && chown node:node /var/lib/chis-flow
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "docker/http-probe.mjs", "http://127.0.0.1:3000/api/health/live"]
CMD ["node", "dist/cli/start.js"]
