// The bench's instruments: an HTTP probe that sees downtime, a TCP proxy that timestamps the
// first byte a client sends to sshd, and summary statistics. Times are epoch ms (Date.now()),
// the clock the host's run log uses too: the "host" is this machine.
import { request } from 'node:http'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface Outage {
  begin: number
  end: number
}

/** GET /version once; true when it answered 200. */
function probeOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/version', agent: false, timeout: 1000 }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode === 200))
      res.on('error', () => resolve(false))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}

/** Probes the service every intervalMs (one probe at a time) until stopped. */
export function startProbe(port: number, intervalMs = 5) {
  const samples: { t: number; ok: boolean }[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      const t = Date.now()
      samples.push({ t, ok: await probeOnce(port) })
      const wait = t + intervalMs - Date.now()
      if (wait > 0) await sleep(wait)
    }
  })()
  return {
    /** When the service did not answer within [from, to]: from a failed probe's start to the next good probe's start. */
    outages(from: number, to: number): Outage[] {
      const found: Outage[] = []
      let down: number | null = null
      for (const { t, ok } of samples) {
        if (t < from || t > to) continue
        if (!ok && down === null) down = t
        if (ok && down !== null) {
          found.push({ begin: down, end: t })
          down = null
        }
      }
      if (down !== null) found.push({ begin: down, end: to })
      return found
    },
    async stop() {
      running = false
      await loop
    },
  }
}

/**
 * A loopback proxy in front of sshd that records, for each client, when it sent its first byte
 * and when its first byte after the identification line (its key exchange, which needs ssh2).
 */
export async function firstByteProxy(targetPort: number) {
  const seen: { first: number; kex: number | null }[] = []
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    }
    let times: (typeof seen)[number] | undefined
    let identified = false
    const onData = (chunk: Buffer) => {
      const now = Date.now()
      if (!times) seen.push((times = { first: now, kex: null }))
      const end = identified ? 0 : chunk.indexOf('\n') + 1
      if (!identified && end > 0) identified = true
      if (identified && end < chunk.length) {
        times.kex = now
        client.off('data', onData)
      }
    }
    client.on('data', onData)
    client.pipe(upstream).on('error', () => client.destroy())
    upstream.pipe(client).on('error', () => upstream.destroy())
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    /** The first connection made at or after `since`: when its first byte came, and its first key-exchange byte. */
    firstBytesAfter: (since: number) => seen.find((t) => t.first >= since) ?? null,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)
