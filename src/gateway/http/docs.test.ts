/** docs/PROTOCOL.md must document every registered route and every error code. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { ERROR_CODES } from '../../protocol/errors.js';
import { CLIENT_FRAME_TYPES, CLOSE_CODES, SERVER_FRAME_TYPES } from '../../protocol/frames.js';
import { startTestServer, type TestServer } from '../../testing/server.js';

describe('docs/PROTOCOL.md', () => {
  let server: TestServer;
  let doc: string;

  before(async () => {
    server = await startTestServer();
    doc = await readFile(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8');
  });
  after(() => server.close());

  it('documents every registered route', () => {
    const routes = server.node.app.registeredRoutes;
    assert.ok(routes.length >= 25, `expected the full REST surface, found ${routes.length} routes`);
    const missing = routes
      .map((route) => route.replace(/:(\w+)/g, '{$1}'))
      .filter((route) => !doc.includes(`\`${route}\``) && !doc.includes(`\`${route}?`));
    assert.deepEqual(missing, [], `undocumented routes: ${missing.join(', ')}`);
  });

  it('documents every frame type with an example', () => {
    const missing = [...new Set([...CLIENT_FRAME_TYPES, ...SERVER_FRAME_TYPES])].filter(
      (type) => !doc.includes(`"type": "${type}"`) || !new RegExp(`#### .*\`${type}\``).test(doc),
    );
    assert.deepEqual(missing, [], `undocumented frames: ${missing.join(', ')}`);
  });

  it('documents every close code', () => {
    const missing = Object.values(CLOSE_CODES).filter((code) => !doc.includes(`| ${code} |`));
    assert.deepEqual(missing, [], `undocumented close codes: ${missing.join(', ')}`);
  });

  it('documents every error code with its status', () => {
    const missing = Object.entries(ERROR_CODES)
      .filter(([code, { status }]) => !new RegExp(`\\| \`${code}\` \\| ${status} \\|`).test(doc))
      .map(([code]) => code);
    assert.deepEqual(missing, [], `undocumented error codes: ${missing.join(', ')}`);
  });
});
