// Pinning any one of the host's keys works, as with OpenSSH: the test host's sshd has ed25519,
// ECDSA and RSA host keys, and known-hosts holding any one of their lines must connect, with that
// key, on the first connection and on a reconnect, while a wrong key still fails.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hostKeyAlgorithms, keysForHost, parseKnownHosts } from '../src/known-hosts'
import { connect, HostKeyRejected } from '../src/ssh'
import { createHost, freePort, type TestHost, waitForPort } from './fixture/host'
import type { HostKeyType } from './fixture/host-keys'
import { check, run } from './fixture/proc'
import { errorLine, hostInputs, runAction } from './run-action'
import { startProxy } from './tcp-proxy'

let h: TestHost
beforeAll(async () => {
  h = await createHost()
})
afterAll(() => h?.close())

const settings = (knownHosts: string, port = h.sshPort) => ({
  host: h.host,
  port,
  username: h.user,
  privateKey: h.privateKey,
  passphrase: undefined,
  connectTimeout: 30,
  reconnectTimeout: 30,
  hostKeys: keysForHost(parseKnownHosts(knownHosts), h.host, port),
})

/** The error connect() rejects with, checked to be one line. */
async function connectError(knownHosts: string, port?: number): Promise<Error> {
  const error = await connect(settings(knownHosts, port)).then(
    (session) => (session.close(), new Error('connected')),
    (error: Error) => error,
  )
  expect(error.message).not.toContain('\n')
  return error
}

/** A fresh key of the given type that the host does not have, as a known_hosts line for it. */
async function otherKey(...keygenArgs: string[]): Promise<{ line: string; fingerprint: string }> {
  const file = join(h.root, `other_key_${Math.random().toString(36).slice(2)}`)
  await check('ssh-keygen', ['-q', ...keygenArgs, '-N', '', '-f', file])
  const [keyType, blob] = readFileSync(`${file}.pub`, 'utf8').split(' ')
  const [, fingerprint] = (await check('ssh-keygen', ['-lf', `${file}.pub`])).split(' ')
  return { line: `[127.0.0.1]:${h.sshPort} ${keyType} ${blob}`, fingerprint: fingerprint! }
}

/** What OpenSSH's own client offers and negotiates with this known_hosts, from `ssh -vv`. */
async function openssh(knownHosts: string): Promise<{ offered: string[]; negotiated: string }> {
  const dir = join(h.root, `openssh_${Math.random().toString(36).slice(2)}`)
  writeFileSync(`${dir}_known_hosts`, `${knownHosts}\n`)
  writeFileSync(`${dir}_key`, h.privateKey, { mode: 0o600 })
  const ssh = await run('ssh', [
    '-vv',
    '-F',
    'none',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${dir}_known_hosts`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-i',
    `${dir}_key`,
    '-p',
    String(h.sshPort),
    `${h.user}@127.0.0.1`,
    'true',
  ])
  expect(ssh.code, ssh.stderr).toBe(0)
  // The first "host key algorithms" line is the client's proposal, the second the server's.
  const proposal = /debug2: host key algorithms: (\S+)/.exec(ssh.stderr)![1]!.split(',')
  return {
    // ssh2 has neither certificates nor security-key (sk-*) algorithms.
    offered: proposal.filter((algorithm) => !algorithm.includes('-cert-') && !algorithm.startsWith('sk-')),
    negotiated: /kex: host key algorithm: (\S+)/.exec(ssh.stderr)![1]!,
  }
}

describe.each<[HostKeyType, string]>([
  ['ed25519', 'ssh-ed25519'],
  ['ecdsa', 'ecdsa-sha2-nistp256'],
  ['rsa', 'rsa-sha2-512'],
])('known-hosts pins only the %s key', (type, algorithm) => {
  it(`connects with that key, negotiating ${algorithm} as OpenSSH's ssh does`, async () => {
    const line = h.hostKeys[type].line
    const logins = h.logins()
    const session = await connect(settings(line))
    try {
      expect(session.hostKey).toEqual({ algorithm, type: line.split(' ')[1], fingerprint: h.hostKeys[type].fingerprint })
      expect((await session.exec('echo pinned', '')).stdout.toString()).toBe('pinned\n')
    } finally {
      session.close()
    }
    expect(h.logins()).toBe(logins + 1)
    const real = await openssh(line)
    expect(real.negotiated).toBe(algorithm)
    expect(hostKeyAlgorithms(settings(line).hostKeys)).toEqual(real.offered)
  })

  it('refuses a different key of that type as a host key mismatch, before authenticating', async () => {
    const wrong = await otherKey('-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []))
    const logins = h.logins()
    const error = await connectError(wrong.line)
    expect(error).toBeInstanceOf(HostKeyRejected)
    const keyType = h.hostKeys[type].line.split(' ')[1]
    expect(error.message).toBe(
      `host key mismatch for 127.0.0.1:${h.sshPort}: the server presented ${keyType} ${h.hostKeys[type].fingerprint}, known-hosts expects ${keyType} ${wrong.fingerprint} (line 1); ` +
        'if the host key was changed on purpose update known-hosts, otherwise someone may be intercepting the connection (the connection was closed before authenticating)',
    )
    expect(h.logins()).toBe(logins)
  })
})

it("offers the pinned types first as OpenSSH's ssh does when known-hosts pins RSA and ECDSA", async () => {
  const text = `${h.hostKeys.rsa.line}\n${h.hostKeys.ecdsa.line}`
  const real = await openssh(text)
  expect(real.negotiated).toBe('ecdsa-sha2-nistp256')
  expect(hostKeyAlgorithms(settings(text).hostKeys)).toEqual(real.offered)
  const session = await connect(settings(text))
  session.close()
  expect(session.hostKey).toEqual({ algorithm: 'ecdsa-sha2-nistp256', type: 'ecdsa-sha2-nistp256', fingerprint: h.hostKeys.ecdsa.fingerprint })
})

it('says the server has no key of the pinned type when known-hosts pins only a type it lacks', async () => {
  // The host's ECDSA key is on nistp256; a nistp384 line is a type the server does not have.
  const p384 = await otherKey('-t', 'ecdsa', '-b', '384')
  const error = await connectError(p384.line)
  expect(error).toBeInstanceOf(HostKeyRejected)
  expect(error.message).toBe(
    `127.0.0.1:${h.sshPort} has no host key of the types known-hosts pins for it (ecdsa-sha2-nistp384): it presented ssh-ed25519 ${h.hostKeyFingerprint}, ` +
      `known-hosts expects ecdsa-sha2-nistp384 ${p384.fingerprint} (line 1); if the host's keys were changed on purpose, check that fingerprint with ssh-keygen -lf ` +
      'on the host itself and add the line ssh-keyscan prints for it, otherwise someone may be intercepting the connection (the connection was closed before authenticating)',
  )
})

it('says what to do when the server signs its host key only with SHA-1 ssh-rsa', async () => {
  // A server that offers only legacy ssh-rsa, which OpenSSH 8.8 and later refuse as well.
  const port = await freePort()
  const config = join(h.root, 'sshd_config_sha1')
  writeFileSync(
    config,
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${join(h.root, 'ssh_host_rsa_key')}`,
      'HostKeyAlgorithms ssh-rsa',
      `PidFile ${join(h.root, 'sshd_sha1.pid')}`,
      'UsePAM no',
      '',
    ].join('\n'),
  )
  const log = join(h.root, 'sshd_sha1.log')
  const sshd: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-f', config, '-E', log], { stdio: 'ignore' })
  try {
    await waitForPort(port, sshd, log)
    const error = await connectError(h.hostKeys.rsa.line.replace(`:${h.sshPort} `, `:${port} `), port)
    expect(error).not.toBeInstanceOf(HostKeyRejected)
    expect(error.message).toBe(
      `cannot connect to 127.0.0.1:${port}: the server signs its host key with none of rsa-sha2-512, rsa-sha2-256, ssh-ed25519, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521 ` +
        '(only legacy ssh-rsa or ssh-dss, which OpenSSH 8.8 and later refuse too); give sshd an ed25519 host key (ssh-keygen -A) and pin its line',
    )
  } finally {
    sshd.kill()
    if (sshd.exitCode === null) await once(sshd, 'exit')
  }
})

it('a deploy that pins only the RSA key survives a dropped connection and reconnects with it', async () => {
  const { C } = h.commits
  const proxy = await startProxy(h.sshPort)
  try {
    h.delay('build', 1.5)
    const logins = h.logins()
    let cut = false
    const run = await runAction(
      { ...hostInputs(h), port: String(proxy.port), 'known-hosts': h.hostKeys.rsa.line.replace(`:${h.sshPort} `, `:${proxy.port} `), ref: C },
      { onLog: (log) => !cut && log.includes('::group::build') && ((cut = true), proxy.cut()) },
    )
    expect(run.code, errorLine(run.log)).toBe(0)
    expect(run.log).toContain('::warning::The SSH connection dropped while the host was deploying')
    expect(run.log).toContain('reconnected')
    expect(run.outputs['deployed-sha']).toBe(C)
    expect(await h.serviceVersion()).toBe(C)
    // Both logins got past hostVerifier, which trusted only the RSA key.
    expect(h.logins()).toBe(logins + 2)
  } finally {
    h.delay('build', null)
    await proxy.close()
  }
})
