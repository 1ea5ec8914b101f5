// Completes dist/ after ncc: adds the host-side script, which the bundle sends to the host, and
// removes what ncc copies from ssh2 that we do not ship: its optional native addons (built for
// this machine's Node ABI, so dist would differ between machines; ssh2 loads them in try/catch
// and falls back to pure JavaScript) and its Windows Pageant helper. Then it minifies every chunk
// (ncc's -m minifies the entry alone): every step starts by compiling what it loads, and ssh2's
// chunk compiles in about two thirds of the time once minified. licenses.txt keeps the notices.
import { transform } from 'esbuild'
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
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
for (const name of readdirSync('dist').filter((name) => name.endsWith('.js'))) {
  const path = join('dist', name)
  const { code } = await transform(readFileSync(path, 'utf8'), {
    minify: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    legalComments: 'none',
    logLevel: 'error',
  })
  writeFileSync(path, code)
}
copyFileSync('src/host.sh', 'dist/host.sh')
