# zignsec-mock: the emulator (`serve`, the default) and the scenario runner (`scenarios run`) in one image.
# Stage 1 installs the production dependencies; stage 2 is the slim runtime with Debian's Chromium.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# Puppeteer drives Debian's chromium from the runtime stage; never download a browser at install.
ENV PUPPETEER_SKIP_DOWNLOAD=true
COPY package.json package-lock.json .puppeteerrc.cjs ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-dejavu-core tini ca-certificates \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    PUPPETEER_SKIP_DOWNLOAD=true \
    PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium \
    MERCHANTS_FILE=/app/fixtures/merchants.json
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json .puppeteerrc.cjs ./
COPY bin ./bin
COPY src ./src
COPY fixtures ./fixtures
COPY scenarios ./scenarios
# The official image's unprivileged user; tsx keeps its transpile cache in /tmp.
USER node
EXPOSE 8080
# Mount your own presets and merchants: -v ./outcomes:/outcomes -e OUTCOMES_DIR=/outcomes
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/zignsec-mock.js"]
CMD ["serve"]
