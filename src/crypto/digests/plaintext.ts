import type { DigestOptions } from '../digest.ts';
import { constantTimeEqual } from '../compare.ts';
import { DigestFormatError } from './errors.ts';
import { assertOnlyOptions, variantOption } from './options.ts';

export type PlaintextVariant = 'plaintext' | 'base64';

export interface PlaintextDigest {
  readonly algorithm: 'plaintext';
  /** `plaintext` for `$plaintext$…` and bare values, `base64` for `$base64$…` (value is decoded). */
  readonly variant: PlaintextVariant;
  /** False for a bare value without any `$` prefix (Authelia's legacy client secret form). */
  readonly prefixed: boolean;
  readonly value: Buffer;
}

export function isPlaintextIdentifier(identifier: string): boolean {
  return identifier === 'plaintext' || identifier === 'base64';
}

/** Parses `$plaintext$<value>`, `$base64$<standard base64>` or a bare value that does not start with `$`. */
export function parsePlaintext(digest: string): PlaintextDigest {
  if (!digest.startsWith('$')) {
    return assertPlaintextDigest({
      algorithm: 'plaintext',
      variant: 'plaintext',
      prefixed: false,
      value: Buffer.from(digest, 'utf8'),
    });
  }
  // The value may itself contain '$', so only the prefix is split off.
  if (digest.startsWith('$plaintext$')) {
    return assertPlaintextDigest({
      algorithm: 'plaintext',
      variant: 'plaintext',
      prefixed: true,
      value: Buffer.from(digest.slice('$plaintext$'.length), 'utf8'),
    });
  }
  if (digest.startsWith('$base64$')) {
    const encoded = digest.slice('$base64$'.length);
    if (
      !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/.test(encoded)
    ) {
      throw new DigestFormatError('$base64$ digest value must be standard base64');
    }
    return assertPlaintextDigest({
      algorithm: 'plaintext',
      variant: 'base64',
      prefixed: true,
      value: Buffer.from(encoded, 'base64'),
    });
  }
  throw new DigestFormatError('plaintext digest must start with $plaintext$ or $base64$');
}

export function assertPlaintextDigest(digest: PlaintextDigest): PlaintextDigest {
  if (digest.variant !== 'plaintext' && digest.variant !== 'base64') {
    throw new DigestFormatError('plaintext variant must be plaintext or base64');
  }
  if (digest.value.length === 0) {
    throw new DigestFormatError('plaintext digest value must not be empty');
  }
  return digest;
}

export function encodePlaintext(digest: PlaintextDigest): string {
  if (digest.variant === 'base64') return `$base64$${digest.value.toString('base64')}`;
  const value = digest.value.toString('utf8');
  return digest.prefixed ? `$plaintext$${value}` : value;
}

export function describePlaintext(_digest: PlaintextDigest): string {
  return 'plaintext (not hashed)';
}

export function verifyPlaintext(secret: string, digest: PlaintextDigest): Promise<boolean> {
  // HMAC-based comparison: neither the content nor the length of the stored value leaks through timing.
  return Promise.resolve(constantTimeEqual(Buffer.from(secret, 'utf8'), digest.value));
}

export function hashPlaintext(secret: string, options: DigestOptions): Promise<string> {
  return new Promise((resolve) => {
    assertOnlyOptions(options, ['variant'], 'plaintext');
    const variant = variantOption(
      options.variant,
      'plaintext',
      { plaintext: 'plaintext', base64: 'base64' },
      'plaintext',
    );
    resolve(
      encodePlaintext({
        algorithm: 'plaintext',
        variant,
        prefixed: true,
        value: Buffer.from(secret, 'utf8'),
      }),
    );
  });
}
