// Generated from action-spec.yml by scripts/generate.mjs, which npm run build runs: do not edit.
// Every input of action.yml with its default, which the runner passes when a workflow leaves the
// input out. '' when action.yml has no default, and for a default that is an expression (the
// runner evaluates it and always passes the value; only a caller that is not the runner, such as
// a test, leaves it empty).
export const INPUT_DEFAULTS = {
  command: 'deploy',
  host: '',
  port: '22',
  'connect-timeout': '30',
  'reconnect-timeout': '300',
  username: 'catcolab',
  'private-key': '',
  passphrase: '',
  'known-hosts': '',
  ref: '', // ${{ github.sha }}, which the runner fills in
  'expected-sha': '',
  'allowed-branches': '',
  'allow-outside-branches': 'false',
  'allow-older': 'false',
  'repo-path': '/var/lib/catcolab',
  remote: 'origin',
  'migrations-path': 'packages/backend/migrations',
  migrate: 'auto',
  'build-command': 'catcolab-build',
  'stop-command': 'catcolab-stop',
  'migrate-command': 'catcolab-migrate',
  'start-command': 'catcolab-start',
  'restart-command': 'catcolab-restart',
  'status-command': 'catcolab-status',
  'health-url': '',
  rollback: 'true',
  'build-outputs': 'target/debug/backend\npackages/automerge-doc-server/dist\npackages/automerge-doc-server/node_modules\n',
  'backup-command': '',
  'logs-command': '',
  'health-timeout': '60',
  'lock-timeout': '3600',
  'command-timeout': '3600',
  'rollback-to': 'previous',
  'rollback-past-migrations': 'false',
  'hold-after-rollback': 'true',
  reason: '',
  'dry-run': 'false',
  environment: '',
  'environment-url': '',
  'production-environment': '',
  'github-token': '', // ${{ github.token }}, which the runner fills in
  'backend-url': 'https://backend-next.catcolab.org',
  'backend-paths': '',
  'pr-number': '',
  'comment-author': '',
} as const

/** The name of an input of action.yml. */
export type InputName = keyof typeof INPUT_DEFAULTS
