import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: 'test/fixture/global-setup.ts',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    // @actions/workflow-parser imports its JSON schemas without `with { type: 'json' }`, which
    // Node refuses; bundled by vite instead, they load.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
})
