// The startup warning when the control API is open beyond this machine: when it is printed, and how.
import t from 'tap';
import { loadConfig, warningPrintout } from '../../src/config.js';
import { isLoopbackAddress, openControlApiWarning } from '../../src/exposure.js';

t.test('loopback addresses are told from the others', async (t) => {
  for (const address of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) t.equal(isLoopbackAddress(address), true, address);
  for (const address of ['0.0.0.0', '::', '192.168.1.20', '10.0.0.1', '::ffff:10.0.0.1', 'fe80::1%eth0', '128.0.0.1', 'mock.example']) t.equal(isLoopbackAddress(address), false, address);
});

t.test('listening beyond loopback without MOCK_ADMIN_TOKEN gives a warning naming the risk and the fix', async (t) => {
  const open = loadConfig({}, { HOST: '0.0.0.0' });
  t.equal(
    openControlApiWarning(open, '0.0.0.0'),
    "the control API (/__mock) is open to anyone who can reach 0.0.0.0 (HOST 0.0.0.0): MOCK_ADMIN_TOKEN is not set. They can read every API key's sessions and identity data and the one-time links in the journal, arm or complete other keys' sessions, inject faults and change merchant settings. Set MOCK_ADMIN_TOKEN (or --mock-admin-token), or HOST=127.0.0.1 to listen on this machine only.",
  );
  t.match(openControlApiWarning(loadConfig({}, { HOST: '::' }), '::'), /^the control API \(\/__mock\) is open to anyone who can reach :: \(HOST ::\)/);
  t.equal(openControlApiWarning(loadConfig({}, { HOST: '0.0.0.0', MOCK_ADMIN_TOKEN: 's3cret' }), '0.0.0.0'), undefined, 'a token closes it');
  t.equal(openControlApiWarning(loadConfig({}, {}), '127.0.0.1'), undefined, 'the default HOST');
  t.equal(openControlApiWarning(loadConfig({}, { HOST: 'localhost' }), '::1'), undefined);
});

t.test('the warning prints like the configuration: text on a terminal, a JSON line at level warn otherwise', async (t) => {
  t.equal(warningPrintout('the control API is open', 'terminal'), 'WARNING: the control API is open\n');
  const line = warningPrintout('the control API is open', 'json-lines');
  t.match(line, /\n$/);
  t.match(JSON.parse(line), { level: 40, msg: 'the control API is open', pid: process.pid });
});
