// takeEarly hands ssh2 a socket on which exactly one identification line goes out, whether the
// connection was made before the hand-over or after it; a socket not taken, or refused, is closed. Real loopback sockets; ssh2 is played by
// what it does with a socket it is given: on connect, its identification line, then its packets.
import { once } from 'node:events'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { connectEarly, IDENT_LINE, takeEarly } from '../src/early-connection'
import { keysForHost, parseKnownHosts } from '../src/known-hosts'
import { connect } from '../src/ssh'

const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

/** A server that collects what its one client sends until it closes. */
async function listen(): Promise<{ port: number; received: Promise<string> }> {
  let resolveReceived: (text: string) => void
  const received = new Promise<string>((resolve) => (resolveReceived = resolve))
  const server = createServer((client) => {
    let text = ''
    client.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')))
    client.on('close', () => resolveReceived(text))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, received }
}

const KNOWN_HOSTS = '127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'
const inputs =
  (port: number, extra: Record<string, string> = {}) =>
  (name: string) =>
    ({ host: '127.0.0.1', port: String(port), 'private-key': 'a key', 'known-hosts': KNOWN_HOSTS, ...extra })[name] ?? ''

it.each([
  ['connected before the hand-over', true],
  ['still connecting at the hand-over', false],
])('one identification line goes out, then what ssh2 sends: %s', async (_, waitForConnect) => {
  const { port, received } = await listen()
  const early = connectEarly(inputs(port), '22')!
  if (waitForConnect) await once(early.socket, 'connect')
  const taken = takeEarly(early, '127.0.0.1', port)
  expect(taken && 'socket' in taken).toBe(true)
  const socket = (taken as { socket: typeof early.socket }).socket
  const ssh2 = () => {
    socket.write(Buffer.from(IDENT_LINE))
    socket.end('KEXINIT')
  }
  if (socket.connecting) socket.once('connect', ssh2)
  else ssh2()
  expect(await received).toBe('SSH-2.0-catcolab_deploy\r\nKEXINIT')
})

it('is left alone, and closed, when the parsed inputs name another host or port', async () => {
  const { port } = await listen()
  const early = connectEarly(inputs(port), '22')!
  expect(takeEarly(early, '127.0.0.1', port + 1)).toBeNull()
  expect(early.socket.destroyed).toBe(true)
})

it('hands over the error of a connection refused, for the one line any connection gives', async () => {
  const { port } = await listen()
  servers.pop()!.close()
  const early = connectEarly(inputs(port), '22')!
  await new Promise((resolve) => early.socket.once('close', resolve))
  expect(takeEarly(early, '127.0.0.1', port)).toEqual({ error: expect.objectContaining({ code: 'ECONNREFUSED' }) })
})

it.each([
  ['no host', { host: '' }],
  ['a host that is an option', { host: '-oProxyCommand=x' }],
  ['a port that is not a number', { port: '22x' }],
  ['a port out of range', { port: '70000' }],
  ['no private key', { 'private-key': ' ' }],
  ['known-hosts that does not parse', { 'known-hosts': 'not a key line' }],
  ['no known-hosts', { 'known-hosts': ' \n' }],
])('opens nothing with %s', (_, extra) => {
  expect(connectEarly(inputs(1, extra), '22')).toBeNull()
})

it.each([
  ['ssh2 refuses its settings (a private key it cannot parse)', {}, /privateKey/],
  ['setting up the client throws', { hostKeys: undefined as never }, TypeError],
])('is closed when %s before ssh2 takes it over', async (_, broken, error) => {
  const { port } = await listen()
  const early = connectEarly(inputs(port), '22')!
  const first = takeEarly(early, '127.0.0.1', port)
  const settings = {
    host: '127.0.0.1',
    port,
    username: 'catcolab',
    privateKey: 'not a key ssh2 can parse',
    passphrase: undefined,
    connectTimeout: 30,
    reconnectTimeout: 30,
    hostKeys: keysForHost(parseKnownHosts(KNOWN_HOSTS), '127.0.0.1', port),
    ...broken,
  }
  await expect(connect(settings, first)).rejects.toThrow(error)
  expect(early.socket.destroyed).toBe(true)
})
