// The pure pieces of the browser-mode credential: where the page takes its token from and
// where it keeps it, how the server reads it from the subprotocol offer, one-time download
// tickets (on a fake clock), which links are routed through a ticket, and what the client
// refuses to send.
import { describe, expect, it } from 'vitest';
import { createTicketBook } from '../../../src-main/server/download-tickets';
import { tokenFromProtocols } from '../../../src-main/server/token';
import { parseClientMessage } from '../../../src-main/server/ws-bridge';
import { downloadJobIdOf } from '../../../src-shared/download-links';
import { takeLaunchToken, TOKEN_STORAGE_KEY, type PageLike } from '../../../src-shared/obtain-api';
import { connectWebSocketTransport, type WebSocketLike } from '../../../src-shared/ws-client';
import { WS_MAX_PAYLOAD, webSocketProtocolsFor } from '../../../src-shared/ws-protocol';

function fakePage(href: string, stored: Record<string, string> = {}, storage: 'ok' | 'throws' | 'none' = 'ok') {
  const url = new URL(href);
  const replaced: string[] = [];
  const data = new Map(Object.entries(stored));
  const page: PageLike = {
    location: { protocol: url.protocol, host: url.host, origin: url.origin, pathname: url.pathname, search: url.search, hash: url.hash },
    history: { replaceState: (_d, _u, to) => void replaced.push(String(to)) },
  };
  if (storage === 'ok') page.sessionStorage = { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
  if (storage === 'throws') {
    Object.defineProperty(page, 'sessionStorage', {
      get() {
        throw new Error('SecurityError: storage is blocked');
      },
    });
  }
  return { page, replaced, data };
}

describe('takeLaunchToken', () => {
  it('takes #token= from the link, keeps it in sessionStorage and removes it from the address bar', () => {
    const { page, replaced, data } = fakePage('http://127.0.0.1:8821/?x=1#token=abc');
    expect(takeLaunchToken(page)).toBe('abc');
    expect(data.get(TOKEN_STORAGE_KEY)).toBe('abc');
    expect(replaced).toEqual(['/?x=1']);
  });
  it('keeps other fragment parameters', () => {
    const { page, replaced } = fakePage('http://127.0.0.1:8821/#a=1&token=abc');
    expect(takeLaunchToken(page)).toBe('abc');
    expect(replaced).toEqual(['/#a=1']);
  });
  it('after a reload, reads the stored token; a newer link replaces it', () => {
    expect(takeLaunchToken(fakePage('http://127.0.0.1:8821/', { [TOKEN_STORAGE_KEY]: 'old' }).page)).toBe('old');
    const fresh = fakePage('http://127.0.0.1:8821/#token=new', { [TOKEN_STORAGE_KEY]: 'old' });
    expect(takeLaunchToken(fresh.page)).toBe('new');
    expect(fresh.data.get(TOKEN_STORAGE_KEY)).toBe('new');
  });
  it('never takes the token from the query string (that would travel to the server and into logs)', () => {
    expect(takeLaunchToken(fakePage('http://127.0.0.1:8821/?token=abc').page)).toBeNull();
  });
  it('works for this load when storage is blocked, and says null when there is nothing', () => {
    const blocked = fakePage('http://127.0.0.1:8821/#token=abc', {}, 'throws');
    expect(takeLaunchToken(blocked.page)).toBe('abc');
    expect(blocked.replaced).toEqual(['/']);
    expect(takeLaunchToken(fakePage('http://127.0.0.1:8821/', {}, 'throws').page)).toBeNull();
    expect(takeLaunchToken(fakePage('http://127.0.0.1:8821/', {}, 'none').page)).toBeNull();
  });
});

describe('tokenFromProtocols', () => {
  it('reads the token from the offer, in any position and spacing', () => {
    expect(tokenFromProtocols(webSocketProtocolsFor('T0k_en-1').join(', '))).toBe('T0k_en-1');
    expect(tokenFromProtocols('studydl.token.abc,studydl.v1')).toBe('abc');
    expect(tokenFromProtocols(['studydl.v1', ' studydl.token.abc '])).toBe('abc');
  });
  it('finds nothing in an empty or foreign offer', () => {
    for (const h of [undefined, '', 'studydl.v1', 'studydl.token.', 'chat, superchat', 'token.abc']) expect(tokenFromProtocols(h)).toBeNull();
  });
});

describe('download tickets', () => {
  it('are bound to one job, usable once, and expire', () => {
    let now = 1_000;
    const book = createTicketBook({ ttlMs: 60_000, now: () => now });
    const a = book.issue('job-a');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(book.redeem(a, 'job-a')).toBe(true);
    expect(book.redeem(a, 'job-a')).toBe(false); // spent

    const b = book.issue('job-b');
    expect(book.redeem(b, 'job-a')).toBe(false); // wrong job…
    expect(book.redeem(b, 'job-b')).toBe(false); // …and then spent

    const c = book.issue('job-c');
    now += 60_000;
    expect(book.redeem(c, 'job-c')).toBe(false); // expired
    expect(book.redeem('made-up', 'job-c')).toBe(false);
  });
  it('keep a bounded number alive, dropping the oldest', () => {
    const book = createTicketBook({ max: 3, now: () => 0 });
    const tickets = ['1', '2', '3', '4', '5'].map((j) => [j, book.issue(j)] as const);
    expect(book.size).toBe(3);
    expect(book.redeem(tickets[0][1], '1')).toBe(false);
    expect(book.redeem(tickets[4][1], '5')).toBe(true);
  });
});

describe('which links go through a ticket', () => {
  const origin = 'http://127.0.0.1:8821';
  it('our own ticketless download links, by job id', () => {
    expect(downloadJobIdOf(`${origin}/download/job%201`, origin)).toBe('job 1');
    expect(downloadJobIdOf('/download/abc', origin)).toBe('abc');
  });
  it('nothing else', () => {
    for (const href of [`${origin}/download/abc?ticket=t`, 'http://127.0.0.1:8822/download/abc', `${origin}/downloads`, `${origin}/download/`, `${origin}/download/%E0%A4%A`, 'https://docs.hyperstudy.io/']) {
      expect(downloadJobIdOf(href, origin)).toBeNull();
    }
  });
});

describe('parseClientMessage', () => {
  it('accepts calls and ticket requests with a safe integer id', () => {
    expect(parseClientMessage({ type: 'call', id: 1, method: 'getAppInfo' })).toMatchObject({ type: 'call' });
    expect(parseClientMessage({ type: 'downloadTicket', id: 2, jobId: 'j' })).toMatchObject({ type: 'downloadTicket' });
  });
  it('refuses anything else', () => {
    for (const m of [null, 1, 'x', [], {}, { type: 'call', id: '1', method: 'm' }, { type: 'call', id: 1.5, method: 'm' }, { type: 'call', id: 2 ** 60, method: 'm' }, { type: 'call', id: 1 }, { type: 'downloadTicket', id: 1, jobId: '' }, { type: 'downloadTicket', id: 1, jobId: 'x'.repeat(257) }, { type: 'event', id: 1 }]) {
      expect(parseClientMessage(m)).toBeNull();
    }
  });
});

describe('WebSocket client', () => {
  /** A socket that opens at once and records what is sent. */
  function openSocket(sent: string[], protocols: string[][]) {
    return (_url: string, p: string[]): WebSocketLike => {
      protocols.push(p);
      const listeners = new Map<string, Array<(ev: unknown) => void>>();
      const ws: WebSocketLike = {
        readyState: 1,
        send: (d) => void sent.push(d),
        close: () => undefined,
        addEventListener: (type, l) => void listeners.set(type, [...(listeners.get(type) ?? []), l]),
      };
      queueMicrotask(() => listeners.get('open')?.forEach((l) => l({})));
      return ws;
    };
  }

  it('offers the token only as a subprotocol, never in the URL', async () => {
    const sent: string[] = [];
    const protocols: string[][] = [];
    const urls: string[] = [];
    const create = openSocket(sent, protocols);
    const t = await connectWebSocketTransport({ url: 'ws://127.0.0.1:8821/ws', token: 'abc', createSocket: (u, p) => (urls.push(u), create(u, p)) });
    expect(urls).toEqual(['ws://127.0.0.1:8821/ws']);
    expect(protocols).toEqual([['studydl.v1', 'studydl.token.abc']]);
    t.close();
  });

  it('refuses to connect without a token', async () => {
    await expect(connectWebSocketTransport({ url: 'ws://127.0.0.1:8821/ws', token: '' })).rejects.toMatchObject({ code: 'UNAUTHORIZED', fix: expect.stringContaining('#token=') });
  });

  it('answers a call larger than the server accepts with a clear error instead of sending it', async () => {
    const sent: string[] = [];
    const t = await connectWebSocketTransport({ url: 'ws://x/ws', token: 'abc', createSocket: openSocket(sent, []) });
    const huge = { target: { level: 'experiment', experimentId: 'e' }, recordingIds: Array.from({ length: 10_000 }, (_, i) => `${i}`.padStart(120, 'r')) };
    const r = await t.invoke('planExport', huge);
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/too large/) } });
    expect(sent).toEqual([]);
    expect(JSON.stringify(huge).length).toBeGreaterThan(WS_MAX_PAYLOAD);
    t.close();
  });
});
