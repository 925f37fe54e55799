# tsfx image: the `tsfx` CLI (worker, serve, run, ...) with its npm dependencies. No build step:
# TypeScript runs through tsx at start-up, as it does on a developer machine.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# toolchain only for native modules that find no prebuilt binary (better-sqlite3, tfjs-node);
# it stays in this stage
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# optional native tfjs backends may fail to fetch libtensorflow; npm skips them and tsfx falls
# back to the wasm / cpu backend
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    TSFX_HOME=/var/lib/tsfx \
    TSFX_ARTIFACT_ROOT=/var/lib/tsfx/artifacts
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# a named volume mounted here starts with this folder's owner, so the non-root user can write
RUN mkdir -p /var/lib/tsfx/artifacts && chown -R node:node /var/lib/tsfx
USER node
VOLUME /var/lib/tsfx
ENTRYPOINT ["node", "bin/tsfx.js"]
CMD ["--help"]
