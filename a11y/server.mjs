// A tiny static file server for the generated site (node:http, no dependency).
//
// - binds to 127.0.0.1 on a free port chosen by the OS;
// - serves only regular files under the site directory (path traversal and
//   symlinks leading outside the directory are rejected);
// - serves `index.html` for directory URLs (`dir/`) and redirects `dir` to `dir/`;
// - answers GET and HEAD only.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Content type for a file name; unknown extensions are served as opaque bytes. */
export function contentType(file) {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** True if `child` is `root` itself or lies inside it (both absolute, normalized). */
function isInside(root, child) {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Resolves a URL path to a file under `root`.
 * Returns { file } for a servable file, { redirect } for a directory URL
 * without a trailing slash, or { status } for an error.
 */
async function resolveRequest(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { status: 400 };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { status: 400 };
  // Reject any `..` segment outright instead of normalizing it away.
  if (decoded.split('/').some((segment) => segment === '..')) return { status: 403 };

  const candidate = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (!isInside(root, candidate)) return { status: 403 };

  let real;
  try {
    real = await realpath(candidate);
  } catch {
    return { status: 404 };
  }
  // A symlink inside the site must not lead outside it.
  if (!isInside(root, real)) return { status: 403 };

  const info = await stat(real);
  if (info.isDirectory()) {
    if (!urlPath.endsWith('/')) return { redirect: urlPath + '/' };
    return resolveRequest(root, urlPath + 'index.html');
  }
  if (!info.isFile()) return { status: 404 };
  return { file: real, size: info.size };
}

/**
 * Starts serving `siteDir`. Resolves to { url, port, close } where `url` is the
 * base URL with a trailing slash (e.g. http://127.0.0.1:41234/).
 */
export async function serveDirectory(siteDir) {
  const root = await realpath(path.resolve(siteDir));

  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
        return;
      }
      const url = new URL(req.url, 'http://127.0.0.1');
      const found = await resolveRequest(root, url.pathname);
      if (found.redirect) {
        send(res, 301, 'Moved Permanently\n', { Location: found.redirect + url.search });
        return;
      }
      if (found.status) {
        const text = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found' }[found.status];
        send(res, found.status, `${text}\n`);
        return;
      }
      res.writeHead(200, {
        'Content-Type': contentType(found.file),
        'Content-Length': found.size,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = createReadStream(found.file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    } catch {
      if (!res.headersSent) send(res, 500, 'Internal Server Error\n');
      else res.destroy();
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
