// One contract call, as every transport (Electron IPC, the WebSocket bridge) runs it:
// validate the argument with the contract's schema, call the core, answer with the envelope.
// Never throws; errors become ErrorInfo with secrets redacted.
import { methodNames, parseArgs, type CallResult, type CoreApi, type MethodName } from '../../src-shared/contract';
import { StudyError, toErrorInfo } from '../../src-shared/errors';

const known = new Set<string>(methodNames);

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && known.has(name);
}

export async function dispatchCall(api: CoreApi, method: unknown, arg: unknown): Promise<CallResult<unknown>> {
  try {
    if (!isMethodName(method)) throw new StudyError({ code: 'INVALID_ARGUMENT', message: `Unknown method ${String(method).slice(0, 64)}.` });
    const valid = parseArgs(method, arg);
    const fn = api[method] as (a: unknown) => Promise<unknown>;
    return { ok: true, value: await fn(valid) };
  } catch (e) {
    return { ok: false, error: toErrorInfo(e) };
  }
}
