// createApi over a transport: one function per contract method, envelopes unwrapped,
// failures thrown as ApiError with code and fix; plain-data errors (the preload's) turned back
// into ApiError by withApiErrors.
import { describe, expect, it } from 'vitest';
import { ApiError, createApi, withApiErrors, type Transport } from '../../../src-shared/api-client';
import { eventNames, methodNames, type CallResult, type MethodName } from '../../../src-shared/contract';
import { createEventHub } from '../../../src-shared/event-hub';

function recordingTransport(answer: (name: MethodName, arg: unknown) => CallResult<unknown>) {
  const calls: Array<{ name: MethodName; arg: unknown }> = [];
  const hub = createEventHub();
  const transport: Transport = {
    invoke: async (name, arg) => {
      calls.push({ name, arg });
      return answer(name, arg);
    },
    subscribe: (event, cb) => hub.subscribe(event, cb as never),
  };
  return { transport, calls, hub };
}

describe('createApi', () => {
  it('exposes exactly the contract methods plus on()', () => {
    const api = createApi(recordingTransport(() => ({ ok: true, value: 1 })).transport);
    expect(Object.keys(api).sort()).toEqual([...methodNames, 'on'].sort());
  });

  it('passes name and argument through and unwraps the value', async () => {
    const { transport, calls } = recordingTransport((name, arg) => ({ ok: true, value: { name, arg } }));
    const api = createApi(transport);
    const arg = { level: 'room', parentPath: [{ level: 'experiment', id: 'e1' }] };
    await expect(api.listLevel(arg)).resolves.toEqual({ name: 'listLevel', arg });
    await api.getSettings();
    expect(calls).toEqual([
      { name: 'listLevel', arg },
      { name: 'getSettings', arg: undefined },
    ]);
  });

  it('throws ApiError carrying code, message and fix', async () => {
    const api = createApi(recordingTransport(() => ({ ok: false, error: { code: 'FORBIDDEN', message: 'This key lacks read:chat.', fix: 'Create a key with read:chat.', status: 403 } })).transport);
    const e = await api.listLevel({ level: 'experiment', parentPath: [] }).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'FORBIDDEN', message: 'This key lacks read:chat.', fix: 'Create a key with read:chat.', status: 403 });
  });

  it('turns an unreadable answer into an INTERNAL ApiError', async () => {
    const api = createApi(recordingTransport(() => 'nonsense' as never).transport);
    await expect(api.listJobs()).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('plainErrors rejects with plain data, and withApiErrors restores ApiError', async () => {
    const { transport } = recordingTransport(() => ({ ok: false, error: { code: 'UNSUPPORTED', message: 'Desktop only.', fix: 'Use the link.' } }));
    const plain = createApi(transport, { plainErrors: true });
    const raw = await plain.showInFolder({ jobId: 'j' }).catch((x) => x);
    expect(raw).not.toBeInstanceOf(Error);
    expect(raw).toMatchObject({ code: 'UNSUPPORTED', message: 'Desktop only.', fix: 'Use the link.' });
    const wrapped = withApiErrors(plain);
    const e = await wrapped.showInFolder({ jobId: 'j' }).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'UNSUPPORTED', fix: 'Use the link.' });
  });

  it('on() subscribes, replays buffered state to late subscribers, unsubscribes, and refuses unknown events', () => {
    const { transport, hub } = recordingTransport(() => ({ ok: true, value: null }));
    const api = createApi(transport);
    hub.emit('connectionStatus', { state: 'online', message: 'ok', checkedAt: 't' });
    const seen: string[] = [];
    const off = api.on('connectionStatus', (s) => seen.push(s.state));
    expect(seen).toEqual(['online']); // replayed
    hub.emit('connectionStatus', { state: 'offline', message: 'down', checkedAt: 't' });
    off();
    hub.emit('connectionStatus', { state: 'online', message: 'ok', checkedAt: 't' });
    expect(seen).toEqual(['online', 'offline']);
    expect(() => api.on('evil' as never, () => {})).toThrow(ApiError);
    expect(eventNames).toContain('jobProgress');
  });
});

describe('event hub', () => {
  it('remembers job state per job and not progress', () => {
    const hub = createEventHub();
    hub.emit('jobState', { id: 'a', state: 'running' } as never);
    hub.emit('jobState', { id: 'b', state: 'queued' } as never);
    hub.emit('jobState', { id: 'a', state: 'completed' } as never);
    hub.emit('jobProgress', { jobId: 'a' } as never);
    const states: string[] = [];
    hub.subscribe('jobState', (s) => states.push(`${s.id}:${s.state}`));
    const progress: unknown[] = [];
    hub.subscribe('jobProgress', (p) => progress.push(p));
    expect(states).toEqual(['b:queued', 'a:completed']);
    expect(progress).toEqual([]);
  });

  it('remembers the last few distinct notices', () => {
    const hub = createEventHub();
    for (let i = 0; i < 8; i++) hub.emit('notice', { level: 'warning', message: `n${i}` });
    hub.emit('notice', { level: 'warning', message: 'n7' });
    const seen: string[] = [];
    hub.subscribe('notice', (n) => seen.push(n.message));
    expect(seen).toEqual(['n3', 'n4', 'n5', 'n6', 'n7']);
  });
});
