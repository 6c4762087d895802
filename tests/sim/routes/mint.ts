// GET /data/recordings/download/{roomId}/{recordingId}: mints a short-lived signed URL on this
// server's storage route, as the real API mints a signed GCS URL.
import { errors } from '../envelope';
import { fail, json, type ApiRequest, type ApiResult, type SimContext } from '../context';
import { canSee, orgDenied, requireScope } from './access';

export function storageObjectPath(roomId: string, recordingId: string): string {
  return `${roomId}/${recordingId}`;
}

export function mintRoute(ctx: SimContext, req: ApiRequest, roomId: string, recordingId: string): ApiResult {
  const denied = requireScope(req, 'read:recordings');
  if (denied) return fail(denied);
  const rec = ctx.dataset.world.recordingById.get(recordingId);
  if (!rec || rec.room.id !== roomId) return fail(errors.notFound(`Recording ${recordingId} not found in room ${roomId}`));
  if (!canSee(ctx, req, rec.room.experiment)) return fail(orgDenied(rec.room.experiment));
  ctx.counters.mint();
  const expires = Math.floor(ctx.now() / 1000) + ctx.signedUrlTtlSec;
  const nonce = ctx.signer.nonce();
  const sig = ctx.signer.sign(storageObjectPath(roomId, recordingId), expires, nonce);
  const url = `${ctx.origin()}/storage/${encodeURIComponent(roomId)}/${encodeURIComponent(recordingId)}.${rec.format}?expires=${expires}&n=${nonce}&sig=${sig}`;
  const data = { url };
  const form = ctx.shapes.singleItem === 'documented' ? 'object' : ctx.shapes.singleItem;
  return json({ status: 'success', data: form === 'list' ? [data] : data });
}
