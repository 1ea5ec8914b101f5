/**
 * The job log: the only way the action writes to it. Every line, group title and annotation
 * message goes through logLine, so no text from the repository or the host can act as a workflow
 * command, and the action's own commands (::group::, ::endgroup::, ::warning::, ::error::,
 * ::add-mask::) are the only ones in the log. runner-io.ts writes them.
 */
import { runnerIO } from './runner-io'
import { logLine } from './text'

export const jobLog = {
  info: (line: string): void => runnerIO.info(logLine(line)),
  startGroup: (title: string): void => runnerIO.startGroup(logLine(title)),
  endGroup: (): void => runnerIO.endGroup(),
  /** An annotation; file is a repository path it is about (runner-io escapes it as a property). */
  warning: (message: string, file?: string): void => runnerIO.warning(logLine(message), file),
  /** A notice: something the run decided that is no failure (e.g. a deploy skipped). */
  notice: (message: string): void => runnerIO.notice(logLine(message)),
  /** Fails the step with a one-line message. */
  fail: (message: string): void => runnerIO.fail(logLine(message)),
  /** Fails the step with a bug's stack: each line escaped, the lines kept (the annotation shows them). */
  failWithStack: (stack: string): void =>
    runnerIO.fail(
      stack
        .split(/\r\n|\r|\n/)
        .map(logLine)
        .join('\n'),
    ),
}
