// A tiny event fan-out that remembers the latest payload of the "buffered" events
// (connection status, rate budget, notice, and job state per job) and replays them to
// every new subscriber. Used by the preload, the WebSocket client and the server bridge,
// so a renderer that subscribes late still learns the current state.
import { bufferedEvents, type EventName, type EventPayloads } from './contract';

type Listener = (payload: unknown) => void;

export interface EventHub {
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  subscribe<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): () => void;
  /** The remembered payloads, oldest first, for replay to a new connection. */
  latest(): Array<{ event: EventName; payload: unknown }>;
  /** Number of live subscribers (for tests and diagnostics). */
  size(): number;
}

const buffered = new Set<EventName>(bufferedEvents);

/** jobState is remembered per job and notices per message (the last few); the others keep only their latest payload. */
function slotFor(event: EventName, payload: unknown): string {
  if (event === 'jobState' && payload && typeof payload === 'object' && 'id' in payload) return `jobState:${String((payload as { id: unknown }).id)}`;
  if (event === 'notice' && payload && typeof payload === 'object' && 'message' in payload) return `notice:${String((payload as { message: unknown }).message)}`;
  return event;
}

/** Start-up may raise several notices (keychain, settings file); a late subscriber sees up to this many. */
const MAX_REMEMBERED_NOTICES = 5;

export function createEventHub(opts: { replay?: boolean } = {}): EventHub {
  const replay = opts.replay ?? true;
  const listeners = new Map<EventName, Set<Listener>>();
  const memory = new Map<string, { event: EventName; payload: unknown }>();
  return {
    emit(event, payload) {
      if (buffered.has(event)) {
        const slot = slotFor(event, payload);
        memory.delete(slot); // re-insert so iteration order stays "oldest first"
        memory.set(slot, { event, payload });
        if (event === 'notice') {
          const notices = [...memory.keys()].filter((k) => k.startsWith('notice:'));
          for (const k of notices.slice(0, Math.max(0, notices.length - MAX_REMEMBERED_NOTICES))) memory.delete(k);
        }
      }
      for (const cb of [...(listeners.get(event) ?? [])]) {
        try {
          cb(payload);
        } catch {
          // one faulty listener must not starve the others
        }
      }
    },
    subscribe(event, cb) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = cb as Listener;
      set.add(l);
      if (replay) {
        for (const m of [...memory.values()]) {
          if (m.event !== event) continue;
          try {
            l(m.payload);
          } catch {
            // ignore, as above
          }
        }
      }
      return () => {
        set.delete(l);
      };
    },
    latest: () => [...memory.values()],
    size: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}
