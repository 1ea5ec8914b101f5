// A TCP proxy on loopback between the action and sshd, which a test can cut like a flaky network.
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'

export interface TcpProxy {
  port: number
  /** Each connection accepted, in order: the first bytes the client sent (up to 4 KiB), and whether it has closed. */
  connections: { sent: Buffer; closed: boolean }[]
  /** Drops every open connection; new ones are still accepted. */
  cut(): void
  close(): Promise<void>
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const connections: TcpProxy['connections'] = []
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    const seen = { sent: Buffer.alloc(0), closed: false }
    connections.push(seen)
    client.on('data', (chunk: Buffer) => {
      if (seen.sent.length < 4096) seen.sent = Buffer.concat([seen.sent, chunk]).subarray(0, 4096)
    })
    client.on('close', () => (seen.closed = true))
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(a)
      a.pipe(b)
      a.on('error', () => b.destroy())
      a.on('close', () => {
        sockets.delete(a)
        b.destroy()
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    cut() {
      for (const socket of sockets) socket.destroy()
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
