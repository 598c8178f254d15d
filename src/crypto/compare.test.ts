import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constantTimeEqual } from './compare.ts';

describe('constantTimeEqual', () => {
  it('is true only for equal values', () => {
    assert.equal(constantTimeEqual('secret', 'secret'), true);
    assert.equal(constantTimeEqual('secret', 'Secret'), false);
    assert.equal(constantTimeEqual('', ''), true);
    assert.equal(constantTimeEqual(Buffer.from([0, 1, 2]), Buffer.from([0, 1, 2])), true);
    assert.equal(constantTimeEqual(Buffer.from([0, 1, 2]), Buffer.from([0, 1, 3])), false);
  });

  it('handles different lengths without throwing', () => {
    assert.equal(constantTimeEqual('secret', 'secret2'), false);
    assert.equal(constantTimeEqual('', 'x'), false);
    assert.equal(constantTimeEqual(Buffer.alloc(0), Buffer.alloc(1000)), false);
  });

  it('compares strings as UTF-8 bytes', () => {
    assert.equal(constantTimeEqual('pässwörd', Buffer.from('pässwörd', 'utf8')), true);
    assert.equal(constantTimeEqual('pässwörd', Buffer.from('pässwörd', 'latin1')), false);
  });
});
