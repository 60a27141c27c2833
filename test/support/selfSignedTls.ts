// A self-signed certificate for 127.0.0.1, made at test time with openssl, and a TLS front
// on loopback that terminates TLS with it and passes the bytes to a plain HTTP server: any
// of our loopback servers becomes an https:// server whose certificate no one trusts.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { promisify } from 'node:util';

export interface SelfSigned {
  readonly key: string;
  readonly cert: string;
  /** The certificate as a file, for NODE_EXTRA_CA_CERTS. */
  readonly certPath: string;
  dispose(): Promise<void>;
}

export async function selfSignedCertificate(): Promise<SelfSigned> {
  const dir = await mkdtemp(join(tmpdir(), 'gpt-oss-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2',
    '-subj', '/CN=gpt-oss-harmony test server', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8'), certPath, dispose: () => rm(dir, { recursive: true, force: true }) };
}

export interface TlsFront {
  /** `https://127.0.0.1:PORT`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves TLS with `certificate` on a loopback port and passes each connection to `targetUrl` (http://host:port). */
export async function tlsFront(certificate: Pick<SelfSigned, 'key' | 'cert'>, targetUrl: string): Promise<TlsFront> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer({ key: certificate.key, cert: certificate.cert }, (client) => {
    track(client);
    const upstream = connect(Number(target.port), target.hostname);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  // A client that rejects the certificate closes mid-handshake; that is the test, not a failure.
  server.on('tlsClientError', () => {});
  server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
