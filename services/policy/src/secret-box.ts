import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

const VERSION = 1;

/**
 * Seals the secrets the policy service keeps (a PostgreSQL source's password) with AES-256-GCM
 * under a key derived from ARCA_SECRETS_KEY (scrypt, so a passphrase-like value is costly to guess).
 * A sealed value is `version ‖ 12-byte nonce ‖ ciphertext ‖ 16-byte tag`; the reference it belongs
 * to is the associated data, so a sealed password moved to another row does not open.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secretsKey: string) {
    if (!secretsKey || secretsKey.length < 16) throw new Error('ARCA_SECRETS_KEY must be at least 16 characters');
    this.key = scryptSync(secretsKey, 'arca-policy-secrets-v1', 32);
  }

  seal(ref: string, secret: string): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(ref));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), nonce, body, cipher.getAuthTag()]);
  }

  open(ref: string, sealed: Buffer): string {
    if (sealed.length < 29 || sealed[0] !== VERSION) throw new Error(`the secret ${ref} is not a sealed secret of this version`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from(ref));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(13, sealed.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`the secret ${ref} does not open with ARCA_SECRETS_KEY (another key, or damaged)`);
    }
  }
}
