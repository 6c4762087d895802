// Signed storage URLs standing in for GCS: HMAC over the object path and the expiry time.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class UrlSigner {
  private readonly secret = randomBytes(32);

  private minted = 0;

  /** A per-mint nonce, so two URLs minted in the same second are distinct (and expire independently). */
  nonce(): string {
    return (++this.minted).toString(36);
  }

  sign(objectPath: string, expiresSec: number, nonce: string): string {
    return createHmac('sha256', this.secret).update(`${objectPath}\n${expiresSec}\n${nonce}`).digest('hex');
  }

  verify(objectPath: string, expiresSec: number, nonce: string, sig: string): boolean {
    const want = Buffer.from(this.sign(objectPath, expiresSec, nonce), 'hex');
    const got = Buffer.from(sig, 'hex');
    return got.length === want.length && timingSafeEqual(got, want);
  }
}
