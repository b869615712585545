import path from 'node:path';
import express, { Router } from 'express';
import { buildOpenApiDocument } from '../openapi/document';

const swaggerDist = path.dirname(require.resolve('swagger-ui-dist/package.json'));

// Our own page and initializer (not swagger-ui-dist's), so the scripts are same-origin
// files the Content-Security-Policy allows, and the validator badge never calls out.
const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ORMS API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

const init = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  tryItOutEnabled: false,
});`;

/** The API description as JSON at /openapi.json and as Swagger UI at /docs. */
export function docsRoutes(): Router {
  const document = buildOpenApiDocument();
  const r = Router();
  r.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  r.get(['/docs', '/docs/'], (_req, res) => {
    res.type('html').send(page);
  });
  r.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(init);
  });
  r.use('/docs/assets', express.static(swaggerDist, { index: false, fallthrough: false, maxAge: '1d' }));
  return r;
}
