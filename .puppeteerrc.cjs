// The emulator drives the system Chromium (Debian's `chromium` package or PUPPETEER_EXECUTABLE_PATH);
// Puppeteer's own browser download is skipped because CI machines only reach the npm registry.
module.exports = { skipDownload: true };
