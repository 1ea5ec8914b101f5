// dist/ is committed: it must be exactly what `npm run build` makes from this source, and pure JS.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { expect, it } from 'vitest'

const ROOT = join(__dirname, '..')

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()
}

it('dist/ is what npm run build makes now, with no native addons', () => {
  // Build in a copy, so a stale dist/ is reported, not silently fixed.
  const copy = mkdtempSync(join(tmpdir(), 'dist-check-'))
  try {
    // What the build reads: the generated files are written again from action-spec.yml.
    for (const entry of ['src', 'scripts', 'action-spec.yml', 'README.md', 'docs', '.prettierrc.json', 'package.json', 'tsconfig.json']) {
      cpSync(join(ROOT, entry), join(copy, entry), { recursive: true })
    }
    // Hard links when the copy is on the same file system (node_modules is large), else a copy.
    try {
      execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(copy, 'node_modules')], { stdio: 'pipe' })
    } catch {
      rmSync(join(copy, 'node_modules'), { recursive: true, force: true })
      cpSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), { recursive: true, verbatimSymlinks: true })
    }
    execFileSync('npm', ['run', '-s', 'build'], { cwd: copy, stdio: 'pipe' })
    const built = files(join(copy, 'dist'))
    expect(files(join(ROOT, 'dist')), 'dist/ has other files than a fresh build: run npm run build').toEqual(built)
    for (const file of built) {
      const fresh = readFileSync(join(copy, 'dist', file))
      expect(readFileSync(join(ROOT, 'dist', file)).equals(fresh), `dist/${file} is stale: run npm run build and commit dist/`).toBe(true)
    }
    expect(built.filter((file) => file.endsWith('.node'))).toEqual([])
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
}, 120_000)
