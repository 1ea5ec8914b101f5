// The connection a host command opens as its process starts (src/early-connection.ts), seen from
// a loopback proxy in front of the throwaway host's sshd: what goes over it, and when there is none.
import { describe, expect, it } from 'vitest'
import { IDENT_LINE } from '../src/early-connection'
import { errorLine, hostInputs, proxyKnownHosts, runAction } from './run-action'
import { startProxy, type TcpProxy } from './tcp-proxy'
import { throwaway } from './throwaway'

const { newHost } = throwaway()

async function hostBehindProxy() {
  const h = await newHost()
  const proxy = await startProxy(h.sshPort)
  const inputs = { ...hostInputs(h), port: String(proxy.port), 'known-hosts': proxyKnownHosts(h, proxy.port) }
  return { h, proxy, inputs }
}

/** What the client sent on a connection, up to the end of its first line, and whether another identification line follows. */
function firstLine(proxy: TcpProxy, index: number): { line: string; identifiedAgain: boolean } {
  const sent = proxy.connections[index]!.sent
  const end = sent.indexOf('\n') + 1
  return { line: sent.subarray(0, end).toString('latin1'), identifiedAgain: sent.subarray(end).includes('SSH-2.0-') }
}

describe('the connection opened as the step starts', () => {
  it("is a deploy's one connection: our identification line once, first, then ssh2's key exchange on it", async () => {
    const { h, proxy, inputs } = await hostBehindProxy()
    try {
      const run = await runAction({ ...inputs, ref: h.commits.B })
      expect(run.code, run.log).toBe(0)
      expect(await h.serviceVersion()).toBe(h.commits.B)
      expect(proxy.connections).toHaveLength(1)
      expect(firstLine(proxy, 0)).toEqual({ line: IDENT_LINE.toString('latin1'), identifiedAgain: false })
      expect(IDENT_LINE.toString('latin1')).toBe('SSH-2.0-catcolab_deploy\r\n')
      expect(h.logins()).toBe(1)
    } finally {
      await proxy.close()
    }
  })

  it('goes to a host name as well, resolved while the bundle loads', async () => {
    const { h, proxy, inputs } = await hostBehindProxy()
    try {
      const line = inputs['known-hosts'].replace(/^\[127\.0\.0\.1\]/, '[localhost]')
      const run = await runAction({ ...inputs, host: 'localhost', 'known-hosts': line, ref: h.commits.B })
      expect(run.code, run.log).toBe(0)
      expect(proxy.connections).toHaveLength(1)
      expect(firstLine(proxy, 0)).toEqual({ line: 'SSH-2.0-catcolab_deploy\r\n', identifiedAgain: false })
    } finally {
      await proxy.close()
    }
  })

  it.each(['status', 'hold', 'release', 'rollback'] as const)('is the one connection of %s too', async (command) => {
    const { proxy, inputs } = await hostBehindProxy()
    try {
      const run = await runAction({ ...inputs, command, ...(command === 'hold' && { reason: 'a test' }) })
      // A rollback with no build kept refuses, after connecting: what counts here is the connection.
      if (command !== 'rollback') expect(run.code, run.log).toBe(0)
      expect(proxy.connections).toHaveLength(1)
      expect(firstLine(proxy, 0)).toEqual({ line: 'SSH-2.0-catcolab_deploy\r\n', identifiedAgain: false })
    } finally {
      await proxy.close()
    }
  })

  it('is not opened when known-hosts does not parse, nor with inputs that do not plainly name a host: those mistakes never connect', async () => {
    const { h, proxy, inputs } = await hostBehindProxy()
    try {
      const garbage = await runAction({ ...inputs, 'known-hosts': `${inputs['known-hosts']}\nnot a key line`, ref: h.commits.B })
      expect(errorLine(garbage.log)).toMatch(/^known-hosts line 2 is not a known_hosts entry/)
      const badPort = await runAction({ ...inputs, port: `${proxy.port}x`, ref: h.commits.B })
      expect(badPort.code).toBe(1)
      expect(proxy.connections).toHaveLength(0)
    } finally {
      await proxy.close()
    }
  })

  it('is closed, having said nothing but hello, when a mistake in the inputs shows only once they are parsed; the step does not wait on it', async () => {
    const { h, proxy, inputs } = await hostBehindProxy()
    try {
      const run = await runAction({ ...inputs, username: 'root', ref: h.commits.B })
      expect(errorLine(run.log)).toBe('username "root" is refused: deploy as the catcolab user, as the documented upgrade process requires')
      // Opened before the inputs were parsed: without it, this step would have made no connection.
      expect(proxy.connections).toHaveLength(1)
      await expect.poll(() => proxy.connections[0]!.closed).toBe(true)
      expect(proxy.connections[0]!.sent.toString('latin1')).toBe('SSH-2.0-catcolab_deploy\r\n')
      expect(h.logins()).toBe(0)
    } finally {
      await proxy.close()
    }
  })

  it('fails as any connection does when the port refuses: the same one line', async () => {
    const { h, proxy, inputs } = await hostBehindProxy()
    const port = proxy.port
    await proxy.close()
    const run = await runAction({ ...inputs, ref: h.commits.B })
    expect(errorLine(run.log)).toBe(`cannot connect to 127.0.0.1:${port}: connection refused; check host and port, and that sshd runs there`)
  })
})
