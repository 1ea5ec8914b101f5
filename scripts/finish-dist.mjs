// Completes dist/ after ncc: adds the host-side script, which the bundle sends to the host, and
// removes what ncc copies from ssh2 that we do not ship: its optional native addons (built for
// this machine's Node ABI, so dist would differ between machines; ssh2 loads them in try/catch
// and falls back to pure JavaScript) and its Windows Pageant helper.
import { copyFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

function prune(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      prune(path)
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true })
    } else if (name.endsWith('.node') || name === 'pagent.exe') {
      rmSync(path)
    }
  }
}
prune('dist')
copyFileSync('src/host.sh', 'dist/host.sh')
