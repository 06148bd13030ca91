import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { serveStatic, type StaticServer } from '../../browser/server.js';

/** A GET whose path is sent as written (fetch would normalise the dot segments away). */
function rawStatus(port: number, path: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.once('error', fail);
    req.end();
  });
}

describe('browser/server: the static server the browser suite and bench use', () => {
  let root = '';
  let server: StaticServer;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'shapegrad-server-'));
    writeFileSync(join(root, 'index.html'), '<p>hello</p>');
    server = await serveStatic(root);
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves GET with the cross-origin isolation headers and a content type', async () => {
    const r = await fetch(`${server.url}index.html`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), '<p>hello</p>');
    assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
  });

  it('answers HEAD with the headers GET would send and no body', async () => {
    const r = await fetch(server.url, { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-length'), String('<p>hello</p>'.length));
    assert.equal(await r.text(), '');
  });

  it('refuses other methods with 405 and an Allow header, paths outside the root with 403, and a missing file with 404', async () => {
    const post = await fetch(server.url, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    assert.equal(await rawStatus(server.port, '/../../etc/passwd'), 403);
    assert.equal(await rawStatus(server.port, '/%2e%2e/%2e%2e/etc/passwd'), 403);
    assert.equal((await fetch(`${server.url}missing.js`)).status, 404);
  });
});
