import type { JsonSchema, OpenApiDocument, OperationObject } from './types';

/**
 * The document as one self-contained HTML page: no scripts and nothing fetched (machines may be
 * offline), just every endpoint with its access rule and answers, and what each action's params are.
 */
export function docsPage(document: OpenApiDocument): string {
  const sections = document.tags.map((tag) => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => op.tags.includes(tag.name))
        .map(([method, op]) => operationHtml(method, path, op)),
    );
    return `<section><h2>${text(tag.name)}</h2><p>${text(tag.description)}</p>${operations.join('\n')}</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text(document.info.title)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
code { background: #f3f3f3; padding: 0 .2em; border-radius: 3px; }
.method { font-weight: bold; text-transform: uppercase; margin-right: .5em; }
.op { border-top: 1px solid #ddd; padding-top: .5rem; margin-top: 1rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }
</style>
</head>
<body>
<h1>${text(document.info.title)}</h1>
${paragraphs(document.info.description)}
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${text(document.openapi)}).</p>
${sections.join('\n')}
<section><h2>action params</h2>${actionParamsHtml(document)}</section>
</body>
</html>
`;
}

function operationHtml(method: string, path: string, op: OperationObject): string {
  const responses = Object.entries(op.responses)
    .map(([status, response]) => `<li><b>${text(status)}</b> ${inline(response.description)}</li>`)
    .join('');
  return `<div class="op" id="${text(op.operationId)}"><h3><span class="method">${text(method)}</span><code>${text(path)}</code></h3>
<p>${text(op.summary)}</p>${paragraphs(op.description)}<ul>${responses}</ul></div>`;
}

/** One table per action: each param with whether it is required and what it must be. */
function actionParamsHtml(document: OpenApiDocument): string {
  const prefix = 'ActionParams.';
  return Object.entries(document.components.schemas)
    .filter(([name]) => name.startsWith(prefix))
    .map(([name, schema]) => {
      const required = new Set(schema.required ?? []);
      const rows = Object.entries(schema.properties ?? {})
        .map(([field, property]) => `<tr><td><code>${text(field)}</code></td><td>${required.has(field) ? 'yes' : 'no'}</td><td>${text(brief(property))}</td></tr>`)
        .join('');
      return `<h3><code>${text(name.slice(prefix.length))}</code>: ${text(schema.title ?? '')}</h3><p>${text(schema.description ?? '')}</p>
<table><tr><th>param</th><th>required</th><th>schema</th></tr>${rows}</table>`;
    })
    .join('\n');
}

/** A param's schema in one line: its type and constraints, without descriptions. */
function brief(property: JsonSchema | boolean): string {
  if (typeof property === 'boolean') return property ? 'anything' : 'nothing';
  const { description: _description, ...rest } = property;
  return JSON.stringify(rest);
}

function paragraphs(markdown: string): string {
  return markdown
    .split(/\n\s*\n/)
    .map((paragraph) => `<p>${inline(paragraph)}</p>`)
    .join('\n');
}

/** Escaped text with `code` spans and **bold**, the only markdown the document uses. */
function inline(markdown: string): string {
  return text(markdown)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>');
}

function text(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
