import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/*
 * `GET /docs` on the local gateway: Swagger UI over the API's own `GET /openapi.json`.
 * The page and its assets come from the `swagger-ui-dist` package, so the docs work
 * offline and load nothing from a CDN. Deployed, the API serves only the document.
 */

export const DOCS_PATH = '/docs';

// The package's own locator; its main module would load the whole bundle into Node.
const swaggerUiDir = (
  createRequire(import.meta.url)('swagger-ui-dist/absolute-path.js') as () => string
)();

/** The only files the page needs, with their content types. */
const ASSETS = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
]);

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Ticketing API</title>
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script>
      window.ui = SwaggerUIBundle({
        url: '/openapi.json',
        dom_id: '#swagger-ui',
        deepLinking: true,
        persistAuthorization: true,
      });
    </script>
  </body>
</html>
`;

export interface DocsResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** The docs page or one of its assets; undefined for any other path. */
export async function docsResponse(path: string): Promise<DocsResponse | undefined> {
  if (path === DOCS_PATH) {
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: PAGE };
  }
  if (!path.startsWith(`${DOCS_PATH}/`)) return undefined;
  const file = path.slice(DOCS_PATH.length + 1);
  const type = ASSETS.get(file);
  if (!type) return undefined;
  return {
    status: 200,
    headers: { 'content-type': type },
    body: await readFile(join(swaggerUiDir, file)),
  };
}
