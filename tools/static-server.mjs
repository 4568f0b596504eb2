// A tiny static file server for `./x serve` and the e2e tests.
// Serves DIR under PREFIX only (every other path is 404), so a build that wrongly uses
// absolute paths fails under a sub-path instead of being rescued by a root mount.
//
//   node tools/static-server.mjs DIR PORT [PREFIX]        (PREFIX defaults to "/")
//
// Binds 127.0.0.1 only. It sends no CSP header on purpose: the page's own meta tag
// must carry the policy, as on a static host that cannot set headers.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.json': 'application/json',
  '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8', '.csv': 'text/csv; charset=utf-8',
};

export function startServer(dir, port, prefix = '/') {
  const root = resolve(dir);
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    if (path === base.slice(0, -1) && base !== '/') {
      res.writeHead(301, { Location: base }).end();
      return;
    }
    if (!path.startsWith(base)) {
      res.writeHead(404).end('not found');
      return;
    }
    let file = normalize(join(root, path.slice(base.length)));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir = 'dist', port = '8080', prefix = '/'] = process.argv.slice(2);
  try {
    const server = await startServer(dir, Number(port), prefix);
    const { port: bound } = server.address();
    console.log(`ClaimForest is being served at http://127.0.0.1:${bound}${prefix} (Ctrl-C stops it)`);
  } catch (error) {
    const reason = error.code === 'EADDRINUSE' ? `port ${port} is already in use (try PORT=8081 ./x serve)` : error.message;
    console.error(`error: cannot serve ${dir}: ${reason}`);
    process.exit(1);
  }
}
