# Skyway's image: installed from the lockfile, compiled, pruned to production dependencies,
# and run as `node dist/server.js` by the image's unprivileged `node` user.
#
#   docker build -t skyway .                     # the BFF (the last stage)
#   docker compose up                            # two BFFs, Redis and the mock services
#
# test/build.test.ts runs what the runtime stage holds, as a user that is not root, without
# Docker: it reads the stage's COPY lines and CMD from this file.

ARG NODE_IMAGE=node:20-bookworm-slim

# Every dependency, from the lockfile exactly.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The build, then the development dependencies (tsx, typescript, vitest, …) dropped.
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# The five mock services, for compose.yaml's production-like setup only (they run TypeScript
# through tsx, a development dependency): never deployed.
FROM deps AS mocks
COPY mock-services ./mock-services
ENV MOCK_HOST=0.0.0.0
USER node
EXPOSE 4101 4102 4103 4104 4105
CMD ["node", "--import", "tsx", "mock-services/main.ts"]

# What runs: the build, production dependencies, the trusted-documents manifest and the
# operation GraphiQL opens with. Files stay root's: the process cannot change its own code.
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9464
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY clients/generated/persisted-documents.json ./clients/generated/persisted-documents.json
COPY contract/operations/MyDeliveries.graphql ./contract/operations/MyDeliveries.graphql
USER node
EXPOSE 4000 9464
# SIGTERM drains: /readyz turns 503, requests in flight finish within SHUTDOWN_TIMEOUT_MS.
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=64", "dist/server.js"]
