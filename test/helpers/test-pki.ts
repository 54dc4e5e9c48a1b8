/**
 * Certificates for tests, made with the `openssl` binary: a CA, and server or client certificates it signs (as a
 * cluster's CA signs the API server's certificate and the client certificates users log in with).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pem {
  key: string;
  cert: string;
  keyFile: string;
  certFile: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function read(dir: string, name: string): Pem {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), keyFile, certFile };
}

/** A self-signed CA `<dir>/<name>.crt` and `.key`. */
export function makeCa(dir: string, name: string): Pem {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return read(dir, name);
}

/**
 * A certificate signed by `ca`: for a server (`ip` in its subjectAltName, serverAuth) or a client (`clientAuth`;
 * `O` is the group, as Kubernetes reads a client certificate's subject: CN the user, O the groups).
 */
export function issue(dir: string, ca: Pem, name: string, subject: { cn: string; o?: string; ip?: string }): Pem {
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${subject.cn}${subject.o ? `/O=${subject.o}` : ''}`, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, subject.ip ? `subjectAltName=IP:${subject.ip}\nextendedKeyUsage=serverAuth\n` : 'extendedKeyUsage=clientAuth\n');
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', `${name}.crt`], dir);
  return read(dir, name);
}
