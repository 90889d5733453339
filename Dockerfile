# syntax=docker/dockerfile:1
# CHIS Flow's image: the API, the engine worker and the relays in one process (docker-compose.yml).
# Build: docker build -t chis-flow:local .
ARG NODE_IMAGE=node:24-slim

# The web UI is built with devDependencies (vite, react), which the runtime image leaves out.
FROM ${NODE_IMAGE} AS ui
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run ui:build

# Runtime dependencies only. tsx (a runtime dependency) runs the TypeScript sources; the
# workflow bundle is still made by the worker at start (issue 17: a prebuilt bundle).
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
COPY . .
COPY --from=ui /app/ui/dist ./ui/dist
# The UI build's stamp hashes the bundled packages' versions, which differ here (no vite): restamp
# for this image so that start does not try to rebuild the UI (it cannot, without devDependencies).
RUN node --import tsx -e "require('./system/ui-build').uiSourceHash().then((h) => require('node:fs').writeFileSync('ui/dist/.build-stamp', h + '\n'))" \
 && mkdir -p /var/lib/chis-flow && chown node:node /var/lib/chis-flow
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "docker/http-probe.mjs", "http://127.0.0.1:3000/api/health/live"]
CMD ["node", "--import", "tsx", "cli/start.ts"]
