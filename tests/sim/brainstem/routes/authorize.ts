// The page behind `verification_uri(_complete)`: where the user approves or denies a device code in
// the browser (the real one asks for a login with 2FA first; the simulator skips that). A real
// browser — or Playwright — can complete the device flow here; tests can also use the control route.
import type { DeviceFlow } from '../auth/device';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function page(title: string, inner: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} – BrainSTEM (simulator)</title></head><body><main><h1>${escape(title)}</h1>${inner}</main></body></html>\n`;
}

export function authorizeGet(device: DeviceFlow, query: URLSearchParams): { status: number; html: string } {
  const key = query.get('session') ?? query.get('user_code') ?? '';
  const c = key ? device.find(key) : undefined;
  if (!c) {
    return {
      status: key ? 404 : 200,
      html: page('Authorize a device', `${key ? '<p>Unknown code.</p>' : ''}<form method="get" action="/account/authorize/"><label>Code <input name="user_code" autocomplete="off"></label> <button type="submit">Continue</button></form>`),
    };
  }
  if (c.state !== 'pending' || device.expired(c)) {
    const why = device.expired(c) && c.state === 'pending' ? 'expired' : c.state;
    return { status: 410, html: page('Authorize a device', `<p>This request is no longer pending (${escape(why)}).</p>`) };
  }
  const form = (action: string, label: string) =>
    `<form method="post" action="/account/authorize/"><input type="hidden" name="session" value="${escape(c.sessionId)}"><input type="hidden" name="action" value="${action}"><button type="submit" name="${action}">${label}</button></form>`;
  return {
    status: 200,
    html: page(
      'Authorize a device',
      `<p><strong>${escape(c.clientName ?? 'A client')}</strong> asks for access to your BrainSTEM account.</p><p>Code: <code id="user-code">${escape(c.userCode)}</code></p>${form('approve', 'Approve')}${form('deny', 'Deny')}`,
    ),
  };
}

export function authorizePost(device: DeviceFlow, form: URLSearchParams, email: string): { status: number; html: string } {
  const session = form.get('session') ?? '';
  const action = form.get('action');
  try {
    if (action !== 'approve' && action !== 'deny') throw new Error('choose Approve or Deny');
    device.decide(session, action === 'approve' ? 'approved' : 'denied', email);
    return { status: 200, html: page(action === 'approve' ? 'Device approved' : 'Device denied', '<p>You can close this window and return to your application.</p>') };
  } catch (e) {
    return { status: 400, html: page('Authorize a device', `<p>${escape(e instanceof Error ? e.message : String(e))}</p>`) };
  }
}
