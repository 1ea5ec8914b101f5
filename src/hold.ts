/**
 * The hold and release commands. A hold keeps every deploy off the host until it is released:
 * each one ends at once, changing nothing (host.sh checks it before fetching and again under the
 * lock). It is a file in the clone's git directory, so it survives reboots and dropped
 * connections; it is set and lifted between deploys, waiting for one under way up to lock-timeout.
 */
import { sshHost } from './host'
import type { HoldSettings } from './inputs'
import type { Hold } from './protocol'
import type { StatusIO } from './status'
import { escape } from './summary'

/** One line for a hold: since, by whom, from which run, and why (the log's and status's words). */
export function holdWords(hold: Hold): string {
  return `held since ${hold.since || 'an unknown time'} by ${hold.actor || 'someone unknown'}${hold.runUrl ? ` (${hold.runUrl})` : ''}: ${hold.reason || 'no reason given'}`
}

export async function holdOrRelease(settings: HoldSettings, io: StatusIO): Promise<void> {
  const session = await io.connect()
  try {
    const host = sshHost(session, settings.repoPath)
    const where = settings.connection.host
    let line: string
    if (settings.dryRun) {
      const { hold } = await host.state()
      const now = hold ? `is ${holdWords(hold)}` : 'is not held'
      line = `dry run: ${where} ${now}; command ${settings.command} would ${settings.command === 'hold' ? `hold it (${settings.reason})` : 'lift any hold'}; nothing was changed`
    } else if (settings.command === 'hold') {
      io.info(`holding ${where}: waiting up to ${settings.lockTimeout} s for a deploy under way (lock-timeout)`)
      const { hold, replaced } = await host.hold({ reason: settings.reason, actor: settings.requester.actor, runUrl: settings.requester.runUrl }, settings.lockTimeout)
      if (replaced) io.info(`it was already ${replaced}; this hold replaces that one`)
      line = `${where} is ${holdWords(hold)}; every deploy ends at once until command: release`
    } else {
      const released = await host.release(settings.lockTimeout)
      line = released ? `${where} was ${released}; released: deploys run again` : `${where} was not held: nothing to release`
    }
    io.info(line)
    io.setOutput('status', line)
    await io.writeSummary([`## ${settings.command === 'hold' ? 'Hold' : 'Release'} of ${escape(where)}`, '', `- ${escape(line)}`, ''].join('\n'))
  } finally {
    session.close()
  }
}
