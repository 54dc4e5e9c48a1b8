/**
 * A TCP proxy a test puts between Baton and a real server, to take the server away and give it back:
 * `pause()` drops every open connection and holds new ones unanswered (an unreachable database), `resume()`
 * forwards again.
 *
 *   const proxy = await startTcpProxy(5432);  // 127.0.0.1:<proxy.port> → 127.0.0.1:5432
 */
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let paused = false;
  const open = new Set<Socket>();
  const held = new Set<Socket>();
  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (paused) {
      held.add(client);
      client.once('close', () => held.delete(client));
      return;
    }
    const upstream = connect(targetPort, targetHost);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    pause() {
      paused = true;
      for (const socket of open) socket.destroy();
    },
    resume() {
      paused = false;
      for (const socket of held) socket.destroy();
    },
    async close() {
      for (const socket of [...open, ...held]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
