// Signed storage URLs, as the real API hands out signed GCS URLs: on the separate storage origin,
// HMAC-signed over the object path, an expiry time and a nonce. Documented recordings carry one
// (signed while listing); GET /data/recordings/download/{roomId}/{recordingId} (the SDK's mint
// route, the value of downloadPath) signs one on demand.
import { errors } from '../envelope';
import { fail, json, type ApiRequest, type ApiResult, type SimContext } from '../context';
import type { RecM } from '../dataset/world';
import { canSee, orgDenied, requireScope } from './access';

export function storageObjectPath(roomId: string, recordingId: string): string {
  return `${roomId}/${recordingId}`;
}

/** A fresh signed URL for a recording, valid for ctx.signedUrlTtlSec from now. */
export function signedStorageUrl(ctx: SimContext, rec: RecM): string {
  const roomId = rec.room.id;
  const expires = Math.floor(ctx.now() / 1000) + ctx.signedUrlTtlSec;
  const nonce = ctx.signer.nonce();
  const sig = ctx.signer.sign(storageObjectPath(roomId, rec.recordingId), expires, nonce);
  return `${ctx.storageOrigin()}/storage/${encodeURIComponent(roomId)}/${encodeURIComponent(rec.recordingId)}.${rec.format}?expires=${expires}&n=${nonce}&sig=${sig}`;
}

export function mintRoute(ctx: SimContext, req: ApiRequest, roomId: string, recordingId: string): ApiResult {
  const denied = requireScope(req, 'read:recordings');
  if (denied) return fail(denied);
  const rec = ctx.dataset.world.recordingById.get(recordingId);
  if (!rec || rec.room.id !== roomId) return fail(errors.notFound(`Recording ${recordingId} not found in room ${roomId}`));
  if (!canSee(ctx, req, rec.room.experiment)) return fail(orgDenied(rec.room.experiment));
  ctx.counters.mint();
  const data = { url: signedStorageUrl(ctx, rec) };
  const form = ctx.shapes.singleItem === 'documented' ? 'object' : ctx.shapes.singleItem;
  return json({ status: 'success', data: form === 'list' ? [data] : data });
}
