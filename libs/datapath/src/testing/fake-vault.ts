import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';

export interface VaultRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/**
 * A small stand-in for HashiCorp Vault's Transit engine on loopback, for tests: the two calls Arca
 * makes, shaped as Vault documents them (POST /v1/<mount>/encrypt/:name with `{ plaintext }` in
 * base64, POST /v1/<mount>/decrypt/:name with `{ ciphertext }`, the token in X-Vault-Token;
 * answers `{ data: { ciphertext: "vault:v1:…", key_version } }` and `{ data: { plaintext } }`,
 * errors `{ errors: [...] }`). Each named key is an AES-256-GCM key of its own; every request is
 * recorded so a test can check its shape.
 */
export async function startFakeVault(options: { token: string; mount?: string }): Promise<{ url: string; requests: VaultRequest[]; keys: Map<string, Buffer>; close(): Promise<void> }> {
  const mount = options.mount ?? 'transit';
  const keys = new Map<string, Buffer>();
  const requests: VaultRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
      } catch {
        return answer(400, { errors: ['failed to parse JSON input'] });
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      if (req.headers['x-vault-token'] !== options.token) return answer(403, { errors: ['permission denied'] });
      const match = new RegExp(`^/v1/${mount}/(encrypt|decrypt)/([^/?]+)$`).exec(req.url ?? '');
      if (req.method !== 'POST' || !match) return answer(404, { errors: [`no handler for route "${req.url}"`] });
      const [, operation, name] = match;
      if (operation === 'encrypt') {
        if (typeof body.plaintext !== 'string') return answer(400, { errors: ['missing plaintext to encrypt'] });
        if (!keys.has(name)) keys.set(name, randomBytes(32)); // Vault creates the key on first encrypt (with create policy)
        const nonce = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', keys.get(name)!, nonce);
        const sealed = Buffer.concat([nonce, cipher.update(Buffer.from(body.plaintext, 'base64')), cipher.final(), cipher.getAuthTag()]);
        return answer(200, { request_id: 'fake', lease_id: '', renewable: false, lease_duration: 0, data: { ciphertext: `vault:v1:${sealed.toString('base64')}`, key_version: 1 }, wrap_info: null, warnings: null, auth: null });
      }
      const key = keys.get(name);
      if (!key) return answer(400, { errors: ['encryption key not found'] });
      const text = typeof body.ciphertext === 'string' ? /^vault:v1:(.+)$/.exec(body.ciphertext)?.[1] : undefined;
      if (!text) return answer(400, { errors: ['invalid ciphertext: no prefix'] });
      const sealed = Buffer.from(text, 'base64');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
        decipher.setAuthTag(sealed.subarray(sealed.length - 16));
        const plain = Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
        return answer(200, { request_id: 'fake', data: { plaintext: plain.toString('base64') } });
      } catch {
        return answer(400, { errors: ['cipher: message authentication failed'] });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, keys, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
