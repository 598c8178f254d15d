// Hashed client secrets at plain-secret speed. A `$pbkdf2-sha512$310000$…` digest costs ~150 ms to
// verify; token requests would pay it every time. After one successful verification we remember
// HMAC(process key, digest ‖ presented secret): the next request with the same secret for the same
// digest matches the record in microseconds. A wrong secret never matches a record, so it still pays
// the full hash (no timing oracle), and only successful verifications are recorded (no poisoning).
// The process key is random and never leaves memory, so the records are useless outside it.
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { verifySecret } from '../crypto/digest.ts';

const MAX_RECORDS = 10_000;

export class ClientSecretVerifier {
  private readonly key = createSecretKey(randomBytes(32));
  /** digest → HMAC of the secret last verified against it. */
  private readonly verified = new Map<string, Buffer>();
  private readonly verifyDigest: (secret: string, digest: string) => Promise<boolean>;

  constructor(verifyDigest: (secret: string, digest: string) => Promise<boolean> = verifySecret) {
    this.verifyDigest = verifyDigest;
  }

  private record(digest: string, secret: string): Buffer {
    return createHmac('sha256', this.key).update(digest).update('\0').update(secret).digest();
  }

  async verify(secret: string, digest: string): Promise<boolean> {
    const presented = this.record(digest, secret);
    const known = this.verified.get(digest);
    if (known && timingSafeEqual(known, presented)) return true;
    const ok = await this.verifyDigest(secret, digest);
    if (ok) {
      if (this.verified.size >= MAX_RECORDS) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(digest, presented);
    }
    return ok;
  }
}
