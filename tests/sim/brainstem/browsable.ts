// Django REST framework's browsable API, reduced: what a browser (Accept: text/html) gets instead
// of JSON unless it asks for ?format=json. Useful for "HTML where JSON was expected" tests.

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const REASONS: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 429: 'Too Many Requests' };

/** True when content negotiation picks the browsable API renderer. */
export function wantsHtml(format: string | null, accept: string | undefined): boolean {
  if (format === 'api') return true;
  if (format !== null) return false;
  const a = (accept ?? '').toLowerCase();
  return a.includes('text/html') && !a.includes('application/json');
}

export function browsablePage(title: string, status: number, headers: Record<string, string>, body: unknown): string {
  const head = [`HTTP ${status} ${REASONS[status] ?? ''}`.trim(), ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\n');
  return `<!DOCTYPE html>
<html>
  <head>
    <meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>
    <title>${escape(title)} – Django REST framework</title>
  </head>
  <body class="">
    <div class="navbar"><span class="navbar-brand">Django REST framework</span></div>
    <div class="content-main" role="main">
      <h1>${escape(title)}</h1>
      <div class="response-info">
        <pre class="prettyprint"><span class="meta nocode">${escape(head)}</span>

${escape(JSON.stringify(body, null, 4))}</pre>
      </div>
    </div>
  </body>
</html>
`;
}
