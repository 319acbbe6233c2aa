# zignsec-mock: two images from this file, both Node 24 LTS on Debian bookworm slim, compiled code
# (no TypeScript, no tsx), production dependencies only, tini as PID 1, the unprivileged `node` user.
#   docker build -t zignsec-mock .                          the server (default): the emulator alone
#   docker build --target runner -t zignsec-mock:runner .   plus Debian's Chromium, for `scenarios run`
# test/package/package.test.ts rebuilds the server stage's files without Docker and runs them.

# Compiles src/, scenarios/ and the sample merchant app into dist/ (needs the dev dependencies), then packs
# the package and unpacks it into /app/package: both images run exactly the files the npm package ships.
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=true
COPY package.json package-lock.json .puppeteerrc.cjs ./
# Scripts off: `prepare` would build before the sources are here, and Puppeteer must not fetch a browser.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json README.md ./
COPY scripts/build.mjs ./scripts/
COPY bin ./bin
COPY src ./src
COPY scenarios ./scenarios
COPY fixtures ./fixtures
RUN npm run build \
    && npm pack --ignore-scripts --silent \
    && mkdir package \
    && tar -xzf zignsec-mock-*.tgz -C package --strip-components=1

# The server's dependencies: production only, without the optional ones (Puppeteer and the QR decoders
# the journeys use). Leaving optional packages out also leaves out TypeScript, which npm would otherwise
# install as an optional peer of a Puppeteer dependency. Then what nothing runs goes: TypeScript
# sources and declarations, source maps and Markdown (licence files stay), about 40% of the bytes.
FROM node:24-bookworm-slim AS server-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts \
    && find node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' -o -name '*.md' \) \
       ! -iname 'license*' -delete

# The runner's dependencies: production ones with Puppeteer (--legacy-peer-deps keeps npm from
# installing TypeScript as that optional peer), trimmed the same way.
FROM node:24-bookworm-slim AS runner-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --legacy-peer-deps --ignore-scripts \
    && find node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' -o -name '*.md' \) \
       ! -iname 'license*' -delete

# What both images share.
FROM node:24-bookworm-slim AS runtime
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/zignsec-mock.js"]

# The runner: `scenarios run` drives Debian's Chromium. HOME is /tmp so that Chromium's profile and
# caches land there: with `docker run --read-only --tmpfs /tmp` nothing else is written.
FROM runtime AS runner
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-dejavu-core \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*
ENV PUPPETEER_SKIP_DOWNLOAD=true \
    PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium \
    HOME=/tmp
COPY --from=runner-deps /app/node_modules ./node_modules
COPY --from=build /app/package ./
USER node
# A one-shot job: every journey against an emulator started in the container (add --base-url for yours).
CMD ["scenarios", "run"]

# The server, the default target (the last stage). Mount your own presets and merchants:
#   -v ./outcomes:/outcomes:ro -e OUTCOMES_DIR=/outcomes
FROM runtime AS server
COPY --from=server-deps /app/node_modules ./node_modules
COPY --from=build /app/package ./
USER node
# Checks /ready on the PORT and HOST of the environment; every second while starting, so that the
# container turns healthy about a second after it is ready.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --start-interval=1s --retries=3 \
    CMD ["node", "dist/src/healthcheck.js"]
CMD ["serve"]
