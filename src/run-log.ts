/**
 * Turns the host's run log, as it streams in, into the job log: one group per phase with its
 * elapsed time. Host output must never act as a workflow command: each line is prefixed, and the
 * sink (src/log.ts) escapes every line it writes.
 */
import { StringDecoder } from 'node:string_decoder'

export interface PhaseTiming {
  name: string
  /** Host clock, milliseconds since the epoch. */
  begin: number
  end: number | null
  /** Exit status of the phase's command, null while it runs. */
  code: number | null
  /** The phase's own output lines. */
  output: string[]
}

/** Where the log goes: the job log (src/log.ts, which escapes each line), or a recorder in tests. */
export interface LogSink {
  info(line: string): void
  startGroup(title: string): void
  endGroup(): void
}

export class RunLog {
  readonly phases: PhaseTiming[] = []
  /**
   * The run's result (KEY=VALUE lines, protocol.ts), once the log's end marker came: the run
   * repeats its result there as its last act. null until then, and for a run that died.
   */
  result: string | null = null
  private readonly resultLines: string[] = []
  private readonly decoder = new StringDecoder('utf8')
  private partial = ''
  private readonly marker: string

  /** nonce: random per run, so no ordinary command output is taken for a phase marker. */
  constructor(
    nonce: string,
    private readonly sink: LogSink,
  ) {
    this.marker = `@@${nonce} `
  }

  /** Takes the next chunk of the log; true once the log's end came (the rest is of no use). */
  push(chunk: Buffer): boolean {
    const lines = (this.partial + this.decoder.write(chunk)).split('\n')
    this.partial = lines.pop()!
    for (const line of lines) {
      this.line(line)
      if (this.result !== null) {
        // Nothing after the end belongs to the run's log, nor a piece of a line.
        this.partial = ''
        return true
      }
    }
    return false
  }

  /** Prints a last line that had no newline. */
  flush(): void {
    const rest = this.partial + this.decoder.end()
    this.partial = ''
    if (rest) this.line(rest)
  }

  private get open(): PhaseTiming | undefined {
    const last = this.phases.at(-1)
    return last && last.end === null ? last : undefined
  }

  private line(line: string): void {
    // A marker may follow output that did not end with a newline.
    const at = line.indexOf(this.marker)
    const text = at === -1 ? line : line.slice(0, at)
    if (at !== 0) {
      this.open?.output.push(text)
      this.sink.info(`| ${text}`)
    }
    if (at === -1) return
    const marked = line.slice(at + this.marker.length)
    if (marked.startsWith('result ')) this.resultLines.push(marked.slice('result '.length))
    if (marked === 'end') this.result = this.resultLines.join('\n')
    const [kind, name, event, ...rest] = marked.split(' ')
    if (kind !== 'phase' || !name) return
    if (event === 'begin') {
      this.phases.push({ name, begin: Number(rest[0]), end: null, code: null, output: [] })
      this.sink.startGroup(name)
    } else if (event === 'end' && this.open?.name === name) {
      const phase = this.open
      phase.code = Number(rest[0])
      phase.end = Number(rest[1])
      this.sink.endGroup()
      const took = formatDuration(phase.end - phase.begin)
      this.sink.info(phase.code === 0 ? `✔ ${name} (${took})` : `✘ ${name} failed with exit status ${phase.code} after ${took}`)
    }
  }
}

export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`
  const seconds = Math.round(ms / 1000)
  if (seconds < 120) return `${seconds} s`
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
}
