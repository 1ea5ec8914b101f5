"use strict";
exports.id = 749;
exports.ids = [749];
exports.modules = {

/***/ 2237:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   TE: () => (/* binding */ sshHost)
/* harmony export */ });
/* unused harmony exports REMOTE_COMMAND, hostStdin */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/* harmony import */ var _path_patterns__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2390);
/* harmony import */ var _protocol__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(8667);
/**
 * The host: git and the catcolab commands in the clone, reached through host.sh over SSH.
 * The command line sent is always the same constant; host.sh and its arguments travel on
 * stdin, NUL-separated, so no input is ever spliced into a string a shell parses.
 */





/**
 * Reads host.sh, then runs it with the NUL-separated arguments that follow on stdin (hostStdin).
 * The script comes after its size, read by head in large reads (bash's read would take it a byte
 * at a time from a pipe: some 60 ms for every call), and a NUL after it proves it came whole.
 */
const REMOTE_COMMAND = `bash -c 'IFS= read -r size && script=$(head -c "$size") && IFS= read -r -d "" end && [[ -z $end ]] || exit 90; exec bash -c "$script" catcolab-deploy'`;
/** What REMOTE_COMMAND reads: host.sh's size in bytes, a newline, host.sh, a NUL, the count of arguments, and each, NUL-terminated. */
function hostStdin(script, argv) {
    const body = Buffer.from(script, 'utf8');
    // host.sh checks the count: a dropped connection must not pass for fewer arguments.
    return Buffer.concat([Buffer.from(`${body.length}\n`), body, Buffer.from([String(argv.length), ...argv].map((arg) => `\0${arg}`).join('') + '\0', 'utf8')]);
}
let script;
function hostScript() {
    // ncc copies host.sh next to dist/index.js; tests read it from src/.
    script ??= (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(__dirname, 'host.sh'), 'utf8');
    return script;
}
function sshHost(ssh, repoPath) {
    /** Runs host.sh SUBCOMMAND REPO_PATH ARGS...: every subcommand works in the clone. */
    function exec([subcommand = '', ...args], onStdout) {
        return ssh.exec(REMOTE_COMMAND, hostStdin(hostScript(), [subcommand, repoPath, ...args]), onStdout);
    }
    /** Like exec, but a failure is an error: host.sh's own one-line problems become a UserError. */
    async function call(args, onStdout) {
        const result = await exec(args, onStdout);
        if (result.code === 'stopped')
            return result.stdout;
        if (result.code === 2) {
            const problems = result.stderr
                .split('\n')
                .filter((line) => line.startsWith('catcolab-deploy: '))
                .map((line) => line.slice('catcolab-deploy: '.length));
            if (problems.length > 0)
                throw new _errors__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .y(problems.join('; '));
        }
        if (result.code !== 0) {
            throw new Error(`host.sh ${args[0]} exited ${result.code}: ${result.stderr.trim() || '(no output)'}`);
        }
        return result.stdout;
    }
    return {
        async prepare(request) {
            const out = await call([
                'prepare',
                request.remote,
                request.ref,
                request.expectedSha,
                request.branches.join('\n'),
                String(request.needCurl),
                // git is given the literal directories the patterns lie below (none: the whole tree),
                // never the globs: host.sh reads its paths as literal pathspecs.
                ...counted((0,_path_patterns__WEBPACK_IMPORTED_MODULE_3__/* .literalPrefixes */ .ak)(request.migrationsPaths)),
                ...request.commandWords,
            ]);
            const text = out.toString('utf8');
            const diffs = text.search(/^diff=/m);
            const values = (0,_protocol__WEBPACK_IMPORTED_MODULE_4__/* .parseKeyValues */ .Hl)(diffs === -1 ? text : text.slice(0, diffs));
            const prepared = {
                head: values.get('head') ?? '',
                branch: values.get('branch') ?? '',
                deployed: values.get('deployed') ?? '',
                target: values.get('target') ?? '',
                expected: values.get('expected') ?? '',
                older: values.get('older') === 'true',
                containing: (values.get('containing') ?? '').split(' ').filter(Boolean),
                changes: diffs === -1 ? new Map() : parseChanges(text.slice(diffs)),
            };
            // Everything downstream trusts these to be commits: check, rather than plan from garbage.
            const shaOrEmpty = (value) => value === '' || isSha(value);
            if (![prepared.head, prepared.target].every(isSha) ||
                ![prepared.deployed, prepared.expected].every(shaOrEmpty) ||
                !/^(true|false)$/.test(values.get('older') ?? '')) {
                throw new Error(`host.sh prepare printed unexpected output: ${JSON.stringify(out.toString('utf8').slice(0, 200))}`);
            }
            return prepared;
        },
        async start(params, token, offset, onRun, onChunk) {
            // The first line names the run; the log follows.
            let head = Buffer.alloc(0);
            await call(['start', token, String(offset), ...Object.entries(params).map(([key, value]) => `${key}=${String(value)}`)], (chunk) => {
                if (head === null)
                    return onChunk(chunk);
                head = Buffer.concat([head, chunk]);
                const newline = head.indexOf('\n');
                if (newline === -1)
                    return false;
                const run = /^run=(\S+)$/.exec(head.subarray(0, newline).toString('utf8'))?.[1];
                if (!run)
                    throw new Error(`host.sh start printed no run id: ${JSON.stringify(head.subarray(0, 200).toString('utf8'))}`);
                const rest = head.subarray(newline + 1);
                head = null;
                onRun(run);
                return rest.length > 0 && onChunk(rest);
            });
            if (head !== null)
                throw new Error('host.sh start printed no run id');
        },
        async follow(run, offset, onChunk) {
            await call(['follow', run, String(offset)], onChunk);
        },
        async result(run) {
            return (0,_protocol__WEBPACK_IMPORTED_MODULE_4__/* .parseRunResult */ .a8)((await call(['result', run])).toString('utf8'));
        },
        async state() {
            return (0,_protocol__WEBPACK_IMPORTED_MODULE_4__/* .parseHostState */ .Vh)((await call(['state'])).toString('utf8'));
        },
        async command(command) {
            const result = await exec(['command', command]);
            // Without onStdout, nothing stops it early: its code is its exit status.
            return { code: result.code === 'stopped' ? 0 : result.code, output: result.stdout.toString('utf8') };
        },
    };
}
const isSha = (value) => /^[0-9a-f]{40}$/.test(value);
/** A list as host.sh takes one among other arguments: its length, then its items. */
const counted = (items) => [String(items.length), ...items];
/**
 * prepare's changes: for each base, `diff=BASE ANCESTOR` on a line, then name-status pairs
 * (status NUL path NUL), ended by one more NUL (an empty field: no status or path is empty).
 */
function parseChanges(text) {
    const changes = new Map();
    let rest = text;
    while (rest) {
        const header = /^diff=([0-9a-f]{40}) (true|false)\n/.exec(rest);
        if (!header)
            throw new Error(`host.sh prepare printed unexpected changes: ${JSON.stringify(rest.slice(0, 200))}`);
        rest = rest.slice(header[0].length);
        // Pairs, up to the empty field that ends them.
        let end = 0;
        for (;;) {
            const status = rest.indexOf('\0', end);
            const path = status === end ? status : rest.indexOf('\0', status + 1);
            if (status === -1 || path === -1)
                throw new Error('host.sh prepare printed unterminated changes');
            if (status === end)
                break;
            end = path + 1;
        }
        changes.set(header[1], { ancestor: header[2] === 'true', nameStatus: rest.slice(0, end) });
        rest = rest.slice(end + 1);
    }
    return changes;
}


/***/ }),

/***/ 257:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  I: () => (/* binding */ commandWord),
  P$: () => (/* binding */ parseSettings)
});

// UNUSED EXPORTS: SHA_PATTERN, parseMigrationsPaths, parseRef

// EXTERNAL MODULE: ./node_modules/ssh2/lib/protocol/keyParser.js
var keyParser = __webpack_require__(1789);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/input-defaults.ts
// Generated from action.yml by scripts/input-defaults.mjs, which npm run build runs: do not edit.
// Every input of action.yml with its default, which the runner passes when a workflow leaves the
// input out. '' when action.yml has no default, and for a default that is an expression (the
// runner evaluates it and always passes the value; only a caller that is not the runner, such as
// a test, leaves it empty).
const INPUT_DEFAULTS = {
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
    'logs-command': '',
    'health-timeout': '60',
    'lock-timeout': '3600',
    'command-timeout': '3600',
    'dry-run': 'false',
    environment: '',
    'environment-url': '',
    'production-environment': '',
    'github-token': '', // ${{ github.token }}, which the runner fills in
    'backend-url': 'https://backend-next.catcolab.org',
    'backend-paths': '',
    'pr-number': '',
    'comment-author': '',
};

// EXTERNAL MODULE: ./src/known-hosts.ts
var known_hosts = __webpack_require__(7670);
// EXTERNAL MODULE: ./src/path-patterns.ts
var path_patterns = __webpack_require__(2390);
// EXTERNAL MODULE: ./src/text.ts
var src_text = __webpack_require__(8992);
;// CONCATENATED MODULE: ./src/inputs.ts
// Not from ssh2's index, which loads its server and more (see ssh.ts).






function parseSettings(get, requester) {
    const inputs = {
        input: (name) => get(name).trim() || INPUT_DEFAULTS[name],
        text: (name) => get(name) || INPUT_DEFAULTS[name],
    };
    const { input } = inputs;
    const command = input('command');
    if (command !== 'deploy' && command !== 'status' && command !== 'pr-report') {
        throw new errors/* UserError */.y(`command must be "deploy", "status" or "pr-report", not "${printable(command)}"`);
    }
    // Needs no host: the GitHub API alone.
    if (command === 'pr-report')
        return parsePrReport(inputs);
    const connection = parseConnection(inputs);
    const repoPath = parseRepoPath(input('repo-path'));
    const commandInput = (name) => {
        const value = input(`${name}-command`);
        if (value.includes('\0'))
            throw new errors/* UserError */.y(`${name}-command contains a NUL byte: remove it`);
        return value;
    };
    if (command === 'status') {
        return { command, connection, repoPath, statusCommand: commandInput('status') };
    }
    return {
        command,
        connection,
        ref: parseRef(input('ref')),
        expectedSha: parseExpectedSha(input('expected-sha')),
        allowedBranches: parseAllowedBranches(inputs.text('allowed-branches')),
        allowOutsideBranches: parseBoolean('allow-outside-branches', input('allow-outside-branches')),
        allowOlder: parseBoolean('allow-older', input('allow-older')),
        repoPath,
        remote: parseRemote(input('remote')),
        migrationsPaths: parseMigrationsPaths(inputs.text('migrations-path')),
        migrate: parseChoice('migrate', input('migrate'), ['auto', 'always', 'never']),
        commands: {
            build: commandInput('build'),
            stop: commandInput('stop'),
            migrate: commandInput('migrate'),
            start: commandInput('start'),
            restart: commandInput('restart'),
            status: commandInput('status'),
        },
        healthUrl: parseHealthUrl(input('health-url')),
        rollback: parseBoolean('rollback', input('rollback')),
        logsCommand: input('logs-command') ? commandInput('logs') : null,
        healthTimeout: parseSeconds('health-timeout', input('health-timeout')),
        lockTimeout: parseSeconds('lock-timeout', input('lock-timeout')),
        commandTimeout: parseSeconds('command-timeout', input('command-timeout')),
        dryRun: parseBoolean('dry-run', input('dry-run')),
        requester: { actor: oneLine(requester.actor), runUrl: oneLine(requester.runUrl) },
        records: parseRecords(inputs),
    };
}
function parseRecords({ input }) {
    const environment = input('environment');
    if (!environment)
        return null;
    checkEnvironment(environment);
    const url = input('environment-url');
    return {
        environment,
        // Kept as written (no trailing slash added): GitHub shows it as the environment's link.
        environmentUrl: url && parseUrl('environment-url', url, 'https://backend-next.catcolab.org') ? url : null,
        // Empty by default: then true for CatColab's production environment, named catcolab (backend.catcolab.org).
        production: parseBoolean('production-environment', input('production-environment') || String(environment === 'catcolab')),
        token: input('github-token'),
    };
}
/** GitHub's own limits on environment names. */
function checkEnvironment(environment) {
    if (environment.length > 255 || CONTROL.test(environment)) {
        throw new errors/* UserError */.y(`environment "${printable(environment)}" is not a GitHub environment name (at most 255 characters, no control characters)`);
    }
}
const DEFAULT_BACKEND_PATHS = ['packages/backend/**', 'packages/automerge-doc-server/**'];
function parsePrReport({ input, text }) {
    const environment = input('environment');
    if (!environment) {
        throw new errors/* UserError */.y("environment is required for command pr-report: name the environment the previews' backend is deployed to, e.g. catcolab-next");
    }
    checkEnvironment(environment);
    const migrationsPaths = parseMigrationsPaths(text('migrations-path'));
    const backendPaths = parsePathPatterns('backend-paths', text('backend-paths'), 'packages/backend/**');
    const number = input('pr-number');
    if (number && number !== 'all' && !/^[1-9]\d{0,9}$/.test(number)) {
        throw new errors/* UserError */.y(`pr-number must be a pull request's number or "all", not "${printable(number)}"`);
    }
    const author = input('comment-author');
    if (author && !/^[A-Za-z0-9-]+(\[bot\])?$/.test(author)) {
        throw new errors/* UserError */.y(`comment-author "${printable(author)}" is not a GitHub login (e.g. my-app[bot])`);
    }
    const token = input('github-token');
    if (!token)
        throw new errors/* UserError */.y('github-token is empty: pr-report needs a token with pull-requests: write, deployments: read and contents: read');
    return {
        command: 'pr-report',
        environment,
        backendUrl: parseUrl('backend-url', input('backend-url'), 'https://backend-next.catcolab.org').href.replace(/\/$/, ''),
        // By default the migrations too, but not what their `!` entries remove (say **/mod.rs).
        backendPaths: backendPaths.length > 0 ? backendPaths : [...DEFAULT_BACKEND_PATHS, ...migrationsPaths.filter((path) => !path.startsWith('!'))],
        migrationsPaths,
        pullRequest: number === 'all' ? 'all' : number ? Number(number) : null,
        commentAuthor: author || null,
        token,
    };
}
function parseConnection({ input, text }) {
    const host = input('host');
    if (!host)
        throw new errors/* UserError */.y('host is required: set it to the SSH host name or address of the CatColab server');
    // A host starting with "-" could be read as an option by tools; the rest is what DNS names and IPs use.
    if (!/^[A-Za-z0-9_.:[\]%-]+$/.test(host) || host.startsWith('-')) {
        throw new errors/* UserError */.y(`host "${printable(host)}" is not a host name or IP address`);
    }
    const port = parseInteger('port', input('port'), 1, 65535);
    const username = input('username');
    if (username === 'root') {
        throw new errors/* UserError */.y('username "root" is refused: deploy as the catcolab user, as the documented upgrade process requires');
    }
    if (!/^[a-z_][a-z0-9_.-]*$/i.test(username)) {
        throw new errors/* UserError */.y(`username "${printable(username)}" is not a valid user name`);
    }
    const passphrase = text('passphrase') || undefined;
    const privateKey = parsePrivateKey(text('private-key'), passphrase);
    const knownHosts = text('known-hosts');
    if (!knownHosts.trim()) {
        throw new errors/* UserError */.y(`known-hosts is empty: run "ssh-keyscan -p ${port} ${host}", check the fingerprint it shows against ` +
            '"ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" run on the host itself, and pass the line as known-hosts');
    }
    const hostKeys = (0,known_hosts/* keysForHost */.Kp)((0,known_hosts/* parseKnownHosts */.uJ)(knownHosts), host.replace(/^\[(.*)\]$/, '$1'), port);
    return {
        host: host.replace(/^\[(.*)\]$/, '$1'),
        port,
        username,
        connectTimeout: parseSeconds('connect-timeout', input('connect-timeout')),
        reconnectTimeout: parseSeconds('reconnect-timeout', input('reconnect-timeout')),
        privateKey,
        passphrase,
        hostKeys,
    };
}
const SUPPORTED_KEY_TYPES = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521))$/;
function parsePrivateKey(text, passphrase) {
    // Secrets pasted into the GitHub UI sometimes lose their final newline or gain CRLF endings.
    const key = text.replace(/\r\n/g, '\n').trim() + '\n';
    if (!text.trim())
        throw new errors/* UserError */.y('private-key is required: pass the deploy key, e.g. ${{ secrets.DEPLOY_SSH_KEY }}');
    // An array for OpenSSH's format (one entry per key in the file), which @types/ssh2 leaves out.
    const parsed = (0,keyParser.parseKey)(key, passphrase);
    if (parsed instanceof Error) {
        if (/no passphrase given/i.test(parsed.message)) {
            throw new errors/* UserError */.y('private-key is encrypted: pass its passphrase as the passphrase input');
        }
        if (/bad passphrase|decrypt/i.test(parsed.message)) {
            throw new errors/* UserError */.y('private-key could not be decrypted: the passphrase input is wrong');
        }
        throw new errors/* UserError */.y(`private-key is not a usable private key (${parsed.message}): pass the whole OpenSSH private key text (ed25519, rsa or ecdsa)`);
    }
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!first?.isPrivateKey()) {
        throw new errors/* UserError */.y('private-key holds a public key: pass the private key (the file without .pub)');
    }
    if (!SUPPORTED_KEY_TYPES.test(first.type)) {
        throw new errors/* UserError */.y(`private-key is a ${first.type} key, which current OpenSSH servers refuse: make an ed25519 deploy key (ssh-keygen -t ed25519)`);
    }
    return key;
}
/** The program a host command runs, for the preflight check: its first word after any VAR=value. */
function commandWord(command) {
    const words = command.trim().split(/\s+/);
    return words.find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) ?? words[0];
}
/** A control character: C0 (NUL to US, so also tab, CR and LF), DEL or C1 (U+0080 to U+009F). */
const CONTROL = /\p{Cc}/u;
/** Hex commit sha, short or full. */
const SHA_PATTERN = /^[0-9a-f]{7,40}$/i;
/**
 * Accepts a branch, tag or commit sha. Names must follow git-check-ref-format(1) and, stricter
 * than git, use only letters, digits and . _ / + @ - : CatColab's branches and tags never need
 * more, and a ref that could mean anything to a shell is refused even though none ever sees it.
 */
function parseRef(value) {
    if (!value)
        throw new errors/* UserError */.y('ref is required: set it to a branch, tag or commit sha');
    if (SHA_PATTERN.test(value))
        return value.toLowerCase();
    const problem = refNameProblem(value);
    if (problem)
        throw new errors/* UserError */.y(`ref "${printable(value)}" is not a valid git ref name (${problem}): pass a branch, tag or commit sha`);
    return value;
}
function refNameProblem(name) {
    if (name.startsWith('-'))
        return 'starts with "-"';
    if (name === '@')
        return 'is "@"';
    if (!/^[A-Za-z0-9._/+@-]+$/.test(name))
        return 'use only letters, digits and . _ / + @ -';
    if (name.includes('..'))
        return 'contains ".."';
    if (name.includes('@{'))
        return 'contains "@{"';
    if (name.startsWith('/') || name.endsWith('/') || name.includes('//'))
        return 'has an empty path component';
    if (name.endsWith('.'))
        return 'ends with "."';
    for (const part of name.split('/')) {
        if (part.startsWith('.'))
            return 'has a component starting with "."';
        if (part.endsWith('.lock'))
            return 'has a component ending with ".lock"';
    }
    return null;
}
function parseExpectedSha(value) {
    if (!value)
        return null;
    if (!/^[0-9a-f]{40}$/i.test(value)) {
        throw new errors/* UserError */.y(`expected-sha "${printable(value)}" is not a full 40-digit commit sha: pass the commit the ref must name, e.g. \${{ github.sha }}`);
    }
    return value.toLowerCase();
}
/** Branch names or globs (* and ?), one per line; `*` alone means any branch of the remote. */
function parseAllowedBranches(text) {
    const patterns = text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
    for (const pattern of patterns) {
        const plain = pattern.replace(/[*?]/g, 'x');
        if (pattern.startsWith('refs/') || refNameProblem(plain)) {
            throw new errors/* UserError */.y(`allowed-branches "${printable(pattern)}" is not a branch name or pattern (one per line, e.g. main or release/*; * for any branch)`);
        }
    }
    return patterns;
}
/**
 * A git remote's name (not a URL: a URL could select a transport that runs commands), without
 * "/": refs/remotes/origin/x/ must not be both origin's branch x/… and remote origin/x's.
 */
function parseRemote(value) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(value) || refNameProblem(value)) {
        throw new errors/* UserError */.y(`remote "${printable(value)}" is not a git remote name: name a remote of the clone, e.g. origin`);
    }
    return value;
}
function parseRepoPath(value) {
    if (!value.startsWith('/'))
        throw new errors/* UserError */.y(`repo-path "${printable(value)}" must be an absolute path, e.g. /var/lib/catcolab`);
    if (CONTROL.test(value))
        throw new errors/* UserError */.y('repo-path contains a control character: remove it');
    if (value.split('/').includes('..'))
        throw new errors/* UserError */.y(`repo-path "${printable(value)}" must not contain ".."`);
    return value.replace(/\/+$/, '') || '/';
}
/** Paths or globs relative to the repository root, one per line (see path-patterns.ts). */
function parseMigrationsPaths(text) {
    const paths = parsePathPatterns('migrations-path', text, 'packages/backend/migrations');
    if (paths.length === 0)
        throw new errors/* UserError */.y('migrations-path is empty: name at least one directory or glob, e.g. packages/backend/migrations');
    return paths;
}
/**
 * One entry per non-empty line: a path (a file or directory) or a picomatch glob, relative to the
 * repository root; `!` before an entry removes what the entries before it matched.
 */
function parsePathPatterns(name, text, example) {
    const entries = text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
    let included = false;
    return entries.map((entry) => {
        const exclude = entry.startsWith('!');
        const path = (exclude ? entry.slice(1) : entry).replace(/^\.\//, '').replace(/\/+$/, '');
        const bad = CONTROL.test(path)
            ? 'contains a control character'
            : path.startsWith('/')
                ? 'is absolute'
                : path.startsWith('-') || path.startsWith(':')
                    ? 'starts with "-" or ":"'
                    : path.startsWith('!')
                        ? 'starts with "!!"'
                        : path.includes('\\')
                            ? 'contains "\\" (these globs have no escapes)'
                            : path === '' || path.split('/').some((part) => part === '..' || part === '.' || part === '')
                                ? 'is not a plain relative path'
                                : (0,path_patterns/* parsePattern */.EY)(path).glob
                                    ? (0,path_patterns/* globProblem */.AI)(path)
                                    : null;
        if (bad) {
            throw new errors/* UserError */.y(`${name} "${printable(entry)}" ${bad}: use paths or globs relative to the repository root, one per line, e.g. ${example}`);
        }
        if (exclude && !included) {
            throw new errors/* UserError */.y(`${name} "${printable(entry)}" excludes nothing: a "!" entry removes what the entries before it matched, so put it after them`);
        }
        if (!exclude)
            included = true;
        return exclude ? `!${path}` : path;
    });
}
function parseHealthUrl(value) {
    return value ? parseUrl('health-url', value, 'http://localhost:8000/').href : null;
}
function parseUrl(name, value, example) {
    let url;
    try {
        url = new URL(value);
    }
    catch {
        throw new errors/* UserError */.y(`${name} "${printable(value)}" is not a URL, e.g. ${example}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new errors/* UserError */.y(`${name} "${printable(value)}" must be an http or https URL`);
    }
    return url;
}
function parseSeconds(name, value) {
    return parseInteger(name, value, 1, 7 * 24 * 3600);
}
function parseInteger(name, value, min, max) {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        throw new errors/* UserError */.y(`${name} must be a whole number from ${min} to ${max}, not "${printable(value)}"`);
    }
    return Number(value);
}
function parseBoolean(name, value) {
    if (/^true$/i.test(value))
        return true;
    if (/^false$/i.test(value))
        return false;
    throw new errors/* UserError */.y(`${name} must be true or false, not "${printable(value)}"`);
}
function parseChoice(name, value, choices) {
    if (choices.includes(value))
        return value;
    throw new errors/* UserError */.y(`${name} must be one of ${choices.join(', ')}, not "${printable(value)}"`);
}
/** Echoes a rejected value safely on one line, shortened: JSON's escapes, and text.ts's for what JSON leaves (U+2028, bidi controls). */
function printable(value) {
    // JSON escapes C0 controls; text.ts's visible() the rest that hides or reorders text (DEL, C1, U+2028, bidi).
    const escaped = (0,src_text/* visible */.RK)(JSON.stringify(value).slice(1, -1));
    return escaped.length > 60 ? `${escaped.slice(0, 57)}...` : escaped;
}
function oneLine(value) {
    return value.replace(/\p{Cc}+/gu, ' ').trim();
}


/***/ }),

/***/ 7670:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ex: () => (/* binding */ checkHostKey),
/* harmony export */   Kp: () => (/* binding */ keysForHost),
/* harmony export */   Qb: () => (/* binding */ hostKeyAlgorithms),
/* harmony export */   Rj: () => (/* binding */ fingerprint),
/* harmony export */   a1: () => (/* binding */ blobType),
/* harmony export */   uJ: () => (/* binding */ parseKnownHosts)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3916);
/**
 * Parses the `known-hosts` input (known_hosts lines as `ssh-keyscan` prints them) and decides
 * whether the host key the server presents during the SSH handshake is one of them.
 * Follows sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT". Pure: node:crypto only, no I/O.
 */


// The types ssh-keyscan can print; certificates and DSA are left out on purpose.
const KEY_TYPES = new Set([
    'ssh-ed25519',
    'ssh-rsa',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'sk-ssh-ed25519@openssh.com',
    'sk-ecdsa-sha2-nistp256@openssh.com',
]);
const KEYSCAN = 'paste the lines ssh-keyscan prints for the host';
/** `"text"` cut to about 40 characters; JSON quoting keeps the message on one line. */
function quote(text, max = 40) {
    return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
function badLine(line, text, why) {
    return new _errors__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .y(`known-hosts line ${line} is not a known_hosts entry (${quote(text)}): ${why}; ${KEYSCAN}`);
}
/** Strict base64: Buffer.from silently skips junk, so require the canonical encoding. */
function decodeBase64(text) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text))
        return null;
    const bytes = Buffer.from(text, 'base64');
    return bytes.toString('base64') === text ? bytes : null;
}
/**
 * Every SSH public key blob is a sequence of uint32-length-prefixed fields, the first being
 * the key type; returns the type, or null when the blob is truncated or not a key.
 */
function blobType(blob) {
    const fields = [];
    for (let at = 0; at < blob.length;) {
        if (at + 4 > blob.length)
            return null;
        const end = at + 4 + blob.readUInt32BE(at);
        if (end > blob.length)
            return null;
        fields.push(blob.subarray(at + 4, end));
        at = end;
    }
    return fields.length >= 2 ? fields[0].toString('latin1') : null;
}
/** Same text as `ssh-keygen -lf`: SHA256 of the blob, base64 without padding. */
function fingerprint(blob) {
    return `SHA256:${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
/** A `|1|salt|hash` host field: HMAC-SHA1 of the host name, keyed by the salt. */
function parseHashed(field) {
    const [empty, magic, salt, hash, ...rest] = field.split('|');
    if (empty !== '' || magic !== '1' || salt === undefined || hash === undefined || rest.length > 0)
        return null;
    const saltBytes = decodeBase64(salt);
    const hashBytes = decodeBase64(hash);
    if (saltBytes?.length !== 20 || hashBytes?.length !== 20)
        return null;
    return { salt: saltBytes, hash: hashBytes };
}
function parseKnownHosts(text) {
    const entries = [];
    text.split(/\r?\n/).forEach((raw, index) => {
        const line = index + 1;
        const content = raw.trim();
        if (content === '' || content.startsWith('#'))
            return;
        // Checked first so a mistakenly pasted private key is never echoed back.
        if (content.includes('PRIVATE KEY')) {
            throw new _errors__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .y(`known-hosts line ${line} is part of a private key: known-hosts takes the host's public key lines; ${KEYSCAN}`);
        }
        const fields = content.split(/\s+/);
        let revoked = false;
        if (fields[0].startsWith('@')) {
            const marker = fields.shift();
            if (marker === '@cert-authority') {
                throw new _errors__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .y(`known-hosts line ${line} is a @cert-authority line, and certificate authorities are not supported: put the host's own key line instead (ssh-keyscan prints it)`);
            }
            if (marker !== '@revoked')
                throw badLine(line, content, `unknown marker ${quote(marker)} (only @revoked is supported)`);
            revoked = true;
        }
        // A host's .pub file pasted as is: the key type comes first, the host names are missing.
        if (KEY_TYPES.has(fields[0])) {
            throw badLine(line, content, 'the host names are missing before the key type');
        }
        if (fields.length < 3)
            throw badLine(line, content, 'expected "HOSTS KEY-TYPE BASE64-KEY"');
        const [hosts, type, base64] = fields;
        if (hosts.startsWith('|') && !parseHashed(hosts))
            throw badLine(line, content, 'the hashed host name is damaged');
        if (!KEY_TYPES.has(type))
            throw badLine(line, content, `unsupported key type ${quote(type)}`);
        const blob = decodeBase64(base64);
        if (!blob)
            throw badLine(line, content, 'the key is not valid base64');
        const embedded = blobType(blob);
        if (embedded !== type) {
            throw badLine(line, content, embedded ? `the key is a ${quote(embedded)} key, not ${type}` : 'the key is truncated or damaged');
        }
        entries.push({ line, revoked, hosts, key: { type, blob, fingerprint: fingerprint(blob), line } });
    });
    if (entries.length === 0) {
        throw new _errors__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .y('known-hosts is empty: run "ssh-keyscan -p PORT HOST" and compare its fingerprint with "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" run on the host itself, then paste its lines');
    }
    return entries;
}
/** `*` and `?` glob, anchored, as OpenSSH's match_pattern. */
function globMatch(pattern, name) {
    const source = pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.');
    return new RegExp(`^${source}$`, 's').test(name);
}
/**
 * Like OpenSSH's match_hostname: a negated match (`!pattern`) excludes the line whatever
 * else matches. Hashed fields hold a single name.
 */
function hostsMatch(hosts, name) {
    const hashed = parseHashed(hosts);
    if (hashed) {
        const hmac = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHmac)('sha1', hashed.salt).update(name).digest();
        return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.timingSafeEqual)(hmac, hashed.hash);
    }
    let matched = false;
    for (const pattern of hosts.toLowerCase().split(',')) {
        if (pattern.startsWith('!')) {
            if (globMatch(pattern.slice(1), name))
                return false;
        }
        else if (globMatch(pattern, name)) {
            matched = true;
        }
    }
    return matched;
}
/** The name known_hosts lists a host under: `host` for port 22, else `[host]:port`. */
function knownHostsName(host, port) {
    const lower = host.toLowerCase();
    return port === 22 ? lower : `[${lower}]:${port}`;
}
function keysForHost(entries, host, port) {
    const name = knownHostsName(host, port);
    const keys = { trusted: [], revoked: [], host, port, elsewhere: [] };
    for (const entry of entries) {
        if (hostsMatch(entry.hosts, name)) {
            if (entry.revoked)
                keys.revoked.push(entry.key);
            else
                keys.trusted.push(entry.key);
        }
        else if (!entry.revoked) {
            const hosts = entry.hosts.startsWith('|') ? 'a hashed host' : entry.hosts;
            keys.elsewhere.push(`${hosts} ${describe(entry.key)}`);
        }
    }
    return keys;
}
function describe(key) {
    return `${key.type} ${key.fingerprint} (line ${key.line})`;
}
/**
 * The host-key algorithms OpenSSH 9 offers by default, less those ssh2 cannot verify (the sk-*
 * security-key types) and the certificate types, which known-hosts does not accept. Legacy
 * `ssh-rsa` (RSA with SHA-1) is left out, as OpenSSH has since 8.8.
 */
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'];
/** The key type an algorithm's key has: RSA keys are signed with rsa-sha2-512 and rsa-sha2-256. */
function algorithmKeyType(algorithm) {
    return algorithm.startsWith('rsa-sha2-') ? 'ssh-rsa' : algorithm;
}
/**
 * The host-key algorithms to offer, in order, as OpenSSH's order_hostkeyalgs: first those of the
 * key types known-hosts trusts for the host, then the rest. The server takes the first one it
 * has, so it presents a pinned key whenever it has one, and a key of another type only when it
 * has none of the pinned types (checkHostKey then says so).
 */
function hostKeyAlgorithms(keys) {
    const pinned = new Set(keys.trusted.map((key) => key.type));
    const first = HOST_KEY_ALGORITHMS.filter((algorithm) => pinned.has(algorithmKeyType(algorithm)));
    return [...first, ...HOST_KEY_ALGORITHMS.filter((algorithm) => !first.includes(algorithm))];
}
/** Decide on a key the server presented (raw key blob). */
function checkHostKey(keys, presented) {
    const shown = `${blobType(presented) ?? 'unknown-type'} ${fingerprint(presented)}`;
    const target = keys.host === undefined ? 'the host' : `${keys.host}:${keys.port}`;
    // Checked before trusted keys: OpenSSH refuses a revoked key even when it is also listed.
    const revoked = keys.revoked.find((key) => key.blob.equals(presented));
    if (revoked) {
        return {
            ok: false,
            reason: `host key of ${target} is revoked: the server presented ${shown}, which known-hosts line ${revoked.line} marks @revoked; give the host a new host key and put that in known-hosts`,
        };
    }
    if (keys.trusted.some((key) => key.blob.equals(presented)))
        return { ok: true };
    if (keys.trusted.length === 0) {
        const name = keys.host === undefined ? 'the host' : knownHostsName(keys.host, keys.port ?? 22);
        const has = keys.elsewhere?.length ? `; it has keys for ${keys.elsewhere.join(', ')}` : '';
        return {
            ok: false,
            reason: `known-hosts has no key for ${name} (the server presented ${shown})${has}: add the lines "ssh-keyscan -p ${keys.port ?? 'PORT'} ${keys.host ?? 'HOST'}" prints, after checking their fingerprints on the host itself`,
        };
    }
    const presentedType = blobType(presented);
    if (!keys.trusted.some((key) => key.type === presentedType)) {
        // hostKeyAlgorithms offered the pinned types first: the server has none of them.
        const types = [...new Set(keys.trusted.map((key) => key.type))].join(', ');
        return {
            ok: false,
            reason: `${target} has no host key of the types known-hosts pins for it (${types}): it presented ${shown}, known-hosts expects ${keys.trusted.map(describe).join(', ')}; if the host's keys were changed on purpose, check that fingerprint with ssh-keygen -lf on the host itself and add the line ssh-keyscan prints for it, otherwise someone may be intercepting the connection`,
        };
    }
    return {
        ok: false,
        reason: `host key mismatch for ${target}: the server presented ${shown}, known-hosts expects ${keys.trusted.map(describe).join(', ')}; if the host key was changed on purpose update known-hosts, otherwise someone may be intercepting the connection`,
    };
}


/***/ }),

/***/ 5625:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   W: () => (/* binding */ jobLog)
/* harmony export */ });
/* harmony import */ var _runner_io__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6842);
/* harmony import */ var _text__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8992);
/**
 * The job log: the only way the action writes to it. Every line, group title and annotation
 * message goes through logLine, so no text from the repository or the host can act as a workflow
 * command, and the action's own commands (::group::, ::endgroup::, ::warning::, ::error::,
 * ::add-mask::) are the only ones in the log. runner-io.ts writes them.
 */


const jobLog = {
    info: (line) => _runner_io__WEBPACK_IMPORTED_MODULE_0__/* .runnerIO */ .$.info((0,_text__WEBPACK_IMPORTED_MODULE_1__/* .logLine */ .BP)(line)),
    startGroup: (title) => _runner_io__WEBPACK_IMPORTED_MODULE_0__/* .runnerIO */ .$.startGroup((0,_text__WEBPACK_IMPORTED_MODULE_1__/* .logLine */ .BP)(title)),
    endGroup: () => _runner_io__WEBPACK_IMPORTED_MODULE_0__/* .runnerIO */ .$.endGroup(),
    /** An annotation; file is a repository path it is about (runner-io escapes it as a property). */
    warning: (message, file) => _runner_io__WEBPACK_IMPORTED_MODULE_0__/* .runnerIO */ .$.warning((0,_text__WEBPACK_IMPORTED_MODULE_1__/* .logLine */ .BP)(message), file),
    /** A notice: something the run decided that is no failure (e.g. a deploy skipped). */
    notice: (message) => _runner_io__WEBPACK_IMPORTED_MODULE_0__/* .runnerIO */ .$.notice((0,_text__WEBPACK_IMPORTED_MODULE_1__/* .logLine */ .BP)(message)),
    /** Fails the step with a one-line message. */
    fail: (message) => _runner_io__WEBPACK_IMPORTED_MODULE_0__/* .runnerIO */ .$.fail((0,_text__WEBPACK_IMPORTED_MODULE_1__/* .logLine */ .BP)(message)),
    /** Fails the step with a bug's stack: each line escaped, the lines kept (the annotation shows them). */
    failWithStack: (stack) => _runner_io__WEBPACK_IMPORTED_MODULE_0__/* .runnerIO */ .$.fail(stack
        .split(/\r\n|\r|\n/)
        .map(_text__WEBPACK_IMPORTED_MODULE_1__/* .logLine */ .BP)
        .join('\n')),
};


/***/ }),

/***/ 2390:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AI: () => (/* binding */ globProblem),
/* harmony export */   EY: () => (/* binding */ parsePattern),
/* harmony export */   ak: () => (/* binding */ literalPrefixes),
/* harmony export */   kZ: () => (/* binding */ pathMatcher)
/* harmony export */ });
/* harmony import */ var picomatch__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4006);
/* harmony import */ var picomatch__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(picomatch__WEBPACK_IMPORTED_MODULE_0__);
/**
 * Lists of repository path patterns, as migrations-path and backend-paths take them: which
 * files a list matches, and which literal directories git needs to diff to find them all.
 * Pure; the lists were validated by inputs.ts.
 *
 * - An entry without glob characters is a file or directory: it matches itself and every path
 *   below it, as a git pathspec does.
 * - Any other entry is a picomatch glob; `*` and `**` also match dotfiles.
 * - An entry starting with `!` removes what the entries before it matched; a later entry can
 *   match a path again. (picomatch given a list ORs it, and a `!` pattern in a list matches
 *   everything else, so the order is applied here.)
 */

function parsePattern(entry) {
    const exclude = entry.startsWith('!');
    const pattern = exclude ? entry.slice(1) : entry;
    return { pattern, exclude, glob: picomatch__WEBPACK_IMPORTED_MODULE_0___default().scan(pattern).isGlob };
}
/** Compiles one pattern; throws picomatch's own error for a glob it cannot compile. */
function compile({ pattern, glob }) {
    if (!glob)
        return (path) => path === pattern || path.startsWith(`${pattern}/`);
    // nonegate: a leading "!" was ours, and is gone; anything else is not a negation either.
    const re = picomatch__WEBPACK_IMPORTED_MODULE_0___default().makeRe(pattern, { dot: true, nonegate: true });
    return (path) => re.test(path);
}
/** Whether the glob compiles: the problem in picomatch's words, or null. */
function globProblem(pattern) {
    try {
        compile({ pattern, exclude: false, glob: true });
        return null;
    }
    catch (error) {
        return (error instanceof Error ? error.message : String(error)).split('\n')[0];
    }
}
/** A path matches when the last entry that matches it is not a `!` entry. */
function pathMatcher(entries) {
    const compiled = entries.map(parsePattern).map((p) => ({ exclude: p.exclude, test: compile(p) }));
    return (path) => {
        let matched = false;
        for (const entry of compiled)
            if (entry.test(path))
                matched = !entry.exclude;
        return matched;
    };
}
/**
 * The literal directories below which every path the entries can match lies: a plain entry
 * itself, a glob's leading directories (`a/b/m*.rs` → `a/b`). Empty when a glob starts with a
 * glob character: then any path of the repository may match. `!` entries only remove.
 */
function literalPrefixes(entries) {
    const prefixes = new Set();
    for (const entry of entries.map(parsePattern)) {
        if (entry.exclude)
            continue;
        const prefix = entry.glob ? picomatch__WEBPACK_IMPORTED_MODULE_0___default().scan(entry.pattern).base : entry.pattern;
        if (prefix === '')
            return [];
        prefixes.add(prefix);
    }
    return [...prefixes];
}


/***/ }),

/***/ 8667:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Hl: () => (/* binding */ parseKeyValues),
/* harmony export */   Vh: () => (/* binding */ parseHostState),
/* harmony export */   a8: () => (/* binding */ parseRunResult),
/* harmony export */   vZ: () => (/* binding */ describeRun)
/* harmony export */ });
/* unused harmony exports RUN_PARAM_KEYS, RESULT_KEYS, PREPARE_KEYS, STATE_KEYS, HOLDER_KEYS */
/**
 * The contract between the runner and host.sh: what a run is sent, and what the host answers
 * (a run's result, the host's state), typed. Answers are KEY=VALUE lines; they are parsed and
 * checked here, once, and nothing else reads them. test/protocol.unit.test.ts checks that the
 * keys host.sh reads and writes are exactly these. Pure.
 */
const RUN_PARAM_KEYS = (/* unused pure expression or super */ null && ([
    'repo',
    'target',
    'expected_deployed',
    'expected_head',
    'migrate',
    'build',
    'stop',
    'migrate_command',
    'start',
    'restart',
    'status',
    'health_url',
    'rollback',
    'health_timeout',
    'lock_timeout',
    'command_timeout',
    'nonce',
    'actor',
    'run_url',
]));
/** The keys of a run's result, as host.sh writes them (R[key]). */
const RESULT_KEYS = (/* unused pure expression or super */ null && ([
    'run',
    'target',
    'migrate',
    'migrated',
    'started',
    'finished',
    'phase',
    'outcome',
    'previous',
    'failed_phase',
    'message',
    'running',
    'checkout',
    'downtime_begin',
    'downtime_end',
]));
/** The keys `host.sh prepare` prints (host.ts reads them into Prepared). */
const PREPARE_KEYS = (/* unused pure expression or super */ null && (['head', 'branch', 'deployed', 'target', 'expected', 'older', 'containing']));
/** The keys of `host.sh state`, besides current_<key> (HOLDER_KEYS) and last_<key> (RESULT_KEYS, and last_alive). */
const STATE_KEYS = (/* unused pure expression or super */ null && (['head', 'branch', 'deployed', 'running']));
/** What host.sh keeps about the run holding the lock ($STATE/current). */
const HOLDER_KEYS = (/* unused pure expression or super */ null && (['run', 'target', 'actor', 'run_url', 'since']));
const OUTCOMES = ['success', 'failed', 'rolled-back', 'lock-timeout', 'stale', 'running'];
/** KEY=VALUE lines, as host.sh prints them. */
function parseKeyValues(text) {
    const values = new Map();
    for (const line of text.split('\n')) {
        const equals = line.indexOf('=');
        if (equals > 0)
            values.set(line.slice(0, equals), line.slice(equals + 1));
    }
    return values;
}
const SHA = /^[0-9a-f]{40}$/;
/** A run's result, checked: a result no run of host.sh could write is an error, not a guess. */
function parseRunResult(text) {
    return resultOf(parseKeyValues(text), '', text);
}
function resultOf(values, prefix, text) {
    const get = (key) => values.get(prefix + key);
    const outcome = get('outcome') ?? '';
    const run = get('run') ?? '';
    if (!OUTCOMES.includes(outcome) || !run)
        throw new Error(`host.sh wrote a result no run writes: ${JSON.stringify(text.slice(0, 200))}`);
    // Written when the run ended: a commit, down (it left the services stopped), or unknown.
    const running = get('running') ?? 'unknown';
    const serving = SHA.test(running) ? { state: 'commit', sha: running } : running === 'down' ? { state: 'down' } : { state: 'unknown' };
    const begin = Number(get('downtime_begin'));
    const end = Number(get('downtime_end'));
    const checkout = get('checkout') ?? '';
    return {
        run,
        outcome: outcome,
        phase: get('phase') ?? '',
        failedPhase: get('failed_phase') ?? '',
        message: get('message') ?? '',
        serving,
        checkout: SHA.test(checkout) ? checkout : '',
        migrated: get('migrated') === 'true',
        downtime: get('downtime_begin') && Number.isFinite(begin) ? { begin, end: get('downtime_end') && Number.isFinite(end) ? end : null } : null,
    };
}
/** `host.sh state`, checked. */
function parseHostState(text) {
    const values = parseKeyValues(text);
    const head = values.get('head') ?? '';
    const deployed = values.get('deployed') ?? '';
    if (!SHA.test(head) || !(deployed === '' || SHA.test(deployed)) || !/^(true|false)$/.test(values.get('running') ?? '')) {
        throw new Error(`host.sh state printed unexpected output: ${JSON.stringify(text.slice(0, 200))}`);
    }
    const busy = values.get('running') === 'true';
    const holder = busy && values.has('current_run')
        ? {
            run: values.get('current_run') ?? '',
            target: values.get('current_target') ?? '',
            actor: values.get('current_actor') ?? '',
            runUrl: values.get('current_run_url') ?? '',
            since: values.get('current_since') ?? '',
        }
        : null;
    const last = values.has('last_outcome') ? { ...resultOf(values, 'last_', text), alive: values.get('last_alive') === 'true' } : null;
    return { head, branch: values.get('branch') ?? '', deployed, busy, holder, last };
}
/**
 * Where a run stands, in the words the log, the summary, the status command and the post step
 * all use. alive: whether its process still runs, which tells a run under way from one that died.
 */
function describeRun(result, alive) {
    const phase = result.phase || 'an unknown phase';
    if (result.outcome !== 'running')
        return { state: 'ended', words: result.message || `run ${result.run} ended with outcome ${result.outcome}` };
    if (alive)
        return { state: 'under-way', words: `run ${result.run} is under way, at phase ${phase}` };
    return {
        state: 'died',
        words: `the deploy process on the host died during ${phase} (run ${result.run}) before it finished; check the services with command: status, then deploy again`,
    };
}


/***/ }),

/***/ 6842:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $: () => (/* binding */ runnerIO)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/**
 * What the action says to the Actions runner: workflow commands on stdout (::group::,
 * ::warning::, ::add-mask::, …) and file commands (GITHUB_OUTPUT, GITHUB_STATE,
 * GITHUB_STEP_SUMMARY), as GitHub documents them ("Workflow commands for GitHub Actions").
 * Written here rather than taken from @actions/core, whose entry module loads an HTTP client
 * (for OIDC tokens this action never asks for) and so cost every step about 90 ms to start.
 * Inputs and saved state are read by the caller from the environment (readRunner, inputs.ts).
 */



/** Escapes a command's message: the runner decodes %25, %0D and %0A. */
const escapeData = (text) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** Escapes a command's property value: also : and , (they separate properties). */
const escapeProperty = (text) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
function command(name, message, properties = {}) {
    const props = Object.entries(properties)
        .map(([key, value]) => `${key}=${escapeProperty(value)}`)
        .join(',');
    process.stdout.write(`::${name}${props ? ` ${props}` : ''}::${escapeData(message)}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}`);
}
/**
 * Appends NAME<<DELIMITER, the value, DELIMITER to the file the runner named in `variable`: the
 * runner reads name and value from it when the step ends. The delimiter is random, so no value
 * can end its entry early.
 */
function fileCommand(variable, name, value) {
    const file = process.env[variable];
    if (!file) {
        // A runner without file commands takes the older workflow commands (as @actions/core does):
        // the post step must still see isPost, or it would deploy again.
        command(variable === 'GITHUB_STATE' ? 'save-state' : 'set-output', value, { name });
        return;
    }
    const delimiter = `ghadelimiter_${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomUUID)()}`;
    (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.appendFileSync)(file, `${name}<<${delimiter}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}${value}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}${delimiter}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}`, 'utf8');
}
const runnerIO = {
    info: (line) => void process.stdout.write(`${line}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}`),
    startGroup: (title) => command('group', title),
    endGroup: () => command('endgroup', ''),
    /** An annotation, about a repository file when file is given. */
    warning: (message, file) => command('warning', message, file ? { file } : {}),
    notice: (message) => command('notice', message),
    /** Fails the step: an error annotation, and exit status 1 when the process ends. */
    fail: (message) => {
        process.exitCode = 1;
        command('error', message);
    },
    /** The runner masks every occurrence of the value in the log from here on. */
    mask: (secret) => command('add-mask', secret),
    setOutput: (name, value) => fileCommand('GITHUB_OUTPUT', name, value),
    /** For the post step, which reads it back as the environment variable STATE_<name>. */
    saveState: (name, value) => fileCommand('GITHUB_STATE', name, value),
    /** Appends markdown to the job summary; nothing when the runner takes none. */
    appendSummary: (markdown) => {
        const file = process.env['GITHUB_STEP_SUMMARY'];
        if (file)
            (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.appendFileSync)(file, `${markdown}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}`, 'utf8');
    },
};


/***/ }),

/***/ 873:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Mf: () => (/* binding */ HostKeyRejected),
/* harmony export */   Ng: () => (/* binding */ connect),
/* harmony export */   pz: () => (/* binding */ ConnectionLost)
/* harmony export */ });
/* harmony import */ var ssh2_lib_client_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6297);
/* harmony import */ var ssh2_lib_client_js__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(ssh2_lib_client_js__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/* harmony import */ var _known_hosts__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7670);
/**
 * One SSH connection to the host, with its key checked against known-hosts before
 * authentication. Commands run as channels on that one connection, so a deploy is one login.
 * Built on ssh2 itself (not node-ssh) because a deploy must tell "the command exited" from
 * "the connection dropped" to resume the log after a reconnect; node-ssh reports both alike.
 */
// ssh2's client alone: its index also loads its server, key generator and HTTP agents, which
// every start would pay for (about 10 ms) before its first byte to sshd.



/** The connection ended while a command was running: the command's outcome is unknown. */
class ConnectionLost extends _errors__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .y {
    name = 'ConnectionLost';
}
/** The host's key is not one known-hosts trusts: retrying cannot help. */
class HostKeyRejected extends _errors__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .y {
    name = 'HostKeyRejected';
}
// A 20-minute Rust build prints nothing for minutes: keepalives keep NAT and firewalls from
// dropping the idle session, and notice a dead peer within two minutes.
const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 8;
function connect(settings) {
    const client = new (ssh2_lib_client_js__WEBPACK_IMPORTED_MODULE_0___default())();
    let hostKeyProblem = null;
    let algorithm = '';
    let presented = Buffer.alloc(0);
    const offered = (0,_known_hosts__WEBPACK_IMPORTED_MODULE_1__/* .hostKeyAlgorithms */ .Qb)(settings.hostKeys);
    return new Promise((resolve, reject) => {
        client.once('handshake', (negotiated) => (algorithm = negotiated.serverHostKey));
        // on, not once: a refused handshake can be followed by ECONNRESET, and an 'error' with no
        // listener would end the process. The first error decides; a promise settles once.
        const failed = (error) => {
            client.end();
            reject(connectError(error, settings, hostKeyProblem, offered));
        };
        client.on('error', failed);
        client.once('ready', () => {
            // From here on, session() listens for errors.
            client.removeListener('error', failed);
            resolve({ ...session(client), hostKey: { algorithm, type: (0,_known_hosts__WEBPACK_IMPORTED_MODULE_1__/* .blobType */ .a1)(presented) ?? '', fingerprint: (0,_known_hosts__WEBPACK_IMPORTED_MODULE_1__/* .fingerprint */ .Rj)(presented) } });
        });
        client.connect({
            host: settings.host,
            port: settings.port,
            username: settings.username,
            privateKey: settings.privateKey,
            passphrase: settings.passphrase,
            readyTimeout: settings.connectTimeout * 1000,
            keepaliveInterval: KEEPALIVE_INTERVAL_MS,
            keepaliveCountMax: KEEPALIVE_COUNT_MAX,
            // Only the key given: no agent, no keyboard-interactive prompts.
            tryKeyboard: false,
            // The types known-hosts pins for the host first, as OpenSSH does, so that pinning any one
            // of the host's keys works.
            algorithms: { serverHostKey: offered },
            hostVerifier: (key) => {
                presented = key;
                const verdict = (0,_known_hosts__WEBPACK_IMPORTED_MODULE_1__/* .checkHostKey */ .Ex)(settings.hostKeys, key);
                if (!verdict.ok)
                    hostKeyProblem = verdict.reason;
                return verdict.ok;
            },
        });
        // Each command is a few small packets; Nagle's algorithm would hold each one for an ACK.
        client.setNoDelay(true);
    });
}
function connectError(error, settings, hostKeyProblem, offered) {
    const where = `${settings.host}:${settings.port}`;
    const username = settings.username;
    if (hostKeyProblem) {
        // The reason already says what to do; add that the connection ended before authenticating.
        return new HostKeyRejected(`${hostKeyProblem} (the connection was closed before authenticating)`);
    }
    if (/no matching host key format/.test(error.message)) {
        return new _errors__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .y(`cannot connect to ${where}: the server signs its host key with none of ${offered.join(', ')} (only legacy ssh-rsa or ssh-dss, which OpenSSH 8.8 and later refuse too); give sshd an ed25519 host key (ssh-keygen -A) and pin its line`);
    }
    if (error.level === 'client-authentication') {
        return new _errors__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .y(`${username}@${where} refused the private key: add its public key to ~${username}/.ssh/authorized_keys on the host`);
    }
    switch (error.code) {
        case 'ECONNREFUSED':
            return new _errors__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .y(`cannot connect to ${where}: connection refused; check host and port, and that sshd runs there`);
        case 'ENOTFOUND':
        case 'EAI_AGAIN':
            return new _errors__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .y(`cannot connect to ${where}: the host name does not resolve; check the host input`);
        case 'EHOSTUNREACH':
        case 'ENETUNREACH':
            return new _errors__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .y(`cannot connect to ${where}: no route to the host; check the host input and the firewall`);
    }
    if (/timed out/i.test(error.message)) {
        return new _errors__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .y(`cannot connect to ${where}: no SSH answer within ${settings.connectTimeout} s (connect-timeout); check host, port and the firewall`);
    }
    return new _errors__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .y(`cannot connect to ${where}: ${error.message}`);
}
function session(client) {
    let closed = false;
    const onClose = new Set();
    client.on('close', () => {
        closed = true;
        for (const notify of onClose)
            notify();
    });
    // After 'ready', errors surface as a closed connection to whichever command is running.
    client.on('error', () => { });
    return {
        exec(command, stdin, onStdout) {
            return new Promise((resolve, reject) => {
                if (closed)
                    return reject(new ConnectionLost('the SSH connection is closed'));
                const lost = () => reject(new ConnectionLost(`the SSH connection dropped: a deploy that had started goes on to its end on the host; check it with command: status`));
                onClose.add(lost);
                client.exec(command, (error, channel) => {
                    if (error) {
                        onClose.delete(lost);
                        return reject(closed ? new ConnectionLost(error.message) : error);
                    }
                    const stdout = [];
                    const stderr = [];
                    let code = null;
                    const done = () => {
                        onClose.delete(lost);
                        resolve({ code: code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') });
                    };
                    channel.on('data', (chunk) => {
                        if (code === 'stopped')
                            return;
                        stdout.push(chunk);
                        let enough;
                        try {
                            enough = onStdout?.(chunk);
                        }
                        catch (error) {
                            // The reader cannot take this output: it fails the command, not the process.
                            enough = true;
                            reject(error instanceof Error ? error : new Error(String(error)));
                        }
                        if (enough !== true)
                            return;
                        code = 'stopped';
                        channel.close();
                        done();
                    });
                    channel.stderr.on('data', (chunk) => stderr.push(chunk));
                    channel.on('exit', (status, signal) => {
                        if (code !== 'stopped')
                            code = status ?? (signal ? 129 : null);
                    });
                    channel.on('close', () => {
                        if (code === 'stopped')
                            return;
                        if (code === null) {
                            onClose.delete(lost);
                            return lost();
                        }
                        done();
                    });
                    channel.end(stdin);
                });
            });
        },
        close() {
            client.end();
        },
    };
}


/***/ }),

/***/ 8992:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BP: () => (/* binding */ logLine),
/* harmony export */   Fu: () => (/* binding */ shortSha),
/* harmony export */   RK: () => (/* binding */ visible),
/* harmony export */   SS: () => (/* binding */ codeSpan),
/* harmony export */   WG: () => (/* binding */ quotePath)
/* harmony export */ });
/**
 * Text from the repository (file, ref and branch names, commit text) and from the host is shown,
 * never obeyed: in the job log, where the runner obeys workflow commands; in the job summary,
 * where GitHub renders markdown; and in outputs read one path per line. Pure.
 */
/** Characters that end a line, move the cursor, or reorder what is shown: never written as they are. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds, written out as ranges (tab is not)
const HIDDEN = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
/** Shows each hidden character as an escape: \x0a, \u{202e}. */
function visible(text) {
    return text.replace(HIDDEN, (c) => {
        const code = c.codePointAt(0);
        return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
    });
}
/**
 * One line of the job log (or one annotation's message) that the runner cannot take for a
 * workflow command. The runner reads its output line by line, ending lines at LF and at a bare CR,
 * and obeys a line that is `::name …::` after leading whitespace, and `##[name …]` anywhere in a
 * line. So: control, line-separating and bidirectional characters become escapes (a tab stays),
 * a leading `::` becomes `\x3a:`, and every `##[` becomes `##\x5b`.
 */
function logLine(text) {
    return visible(text)
        .replace(/^(\s*)::/, '$1\\x3a:')
        .replace(/##\[/g, '##\\x5b');
}
/** git's C-quoting table: the named escapes; other bytes that must be quoted are written in octal. */
const NAMED = { 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r', 0x22: '"', 0x5c: '\\' };
/**
 * A path as git writes it without -z, with its defaults (core.quotePath on): unchanged when every
 * byte is printable ASCII other than `"` and `\`; else in double quotes, with `"` `\` and the
 * control characters \a \b \t \n \v \f \r as backslash escapes, and every other control byte and
 * every byte of a non-ASCII character (UTF-8) as a three-digit octal escape (`é` is `\303\251`).
 */
function quotePath(path) {
    const bytes = Buffer.from(path, 'utf8');
    let quoted = '';
    let needed = false;
    for (const byte of bytes) {
        if (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c) {
            quoted += String.fromCharCode(byte);
            continue;
        }
        needed = true;
        quoted += `\\${NAMED[byte] ?? byte.toString(8).padStart(3, '0')}`;
    }
    return needed ? `"${quoted}"` : path;
}
/**
 * A markdown code span that shows text exactly, on one line: a fence longer than any run of
 * backticks in it, a space inside each end when the text starts or ends with a backtick or a space
 * (CommonMark strips one), hidden characters as escapes. Inside a code span GitHub renders no
 * markdown and no HTML, and links no URL, @mention or #reference. In a table cell (`table`) a pipe
 * would end the cell even inside the span, so it is written `\|`, which the table turns back into
 * `|`. (A backslash right before a pipe reads differently on GitHub and markdown-it; ref names and
 * C-quoted paths put in tables have none.)
 */
function codeSpan(text, { table = false } = {}) {
    let shown = visible(text);
    const longest = Math.max(0, ...[...shown.matchAll(/`+/g)].map((m) => m[0].length));
    const fence = '`'.repeat(longest + 1);
    const pad = shown === '' || /^[` ]|[` ]$/.test(shown) ? ' ' : '';
    if (table)
        shown = shown.replace(/\|/g, '\\|');
    return `${fence}${pad}${shown}${pad}${fence}`;
}
/** A commit's first 12 hex digits: how the log, the summary, the records and the comments name it. */
function shortSha(sha) {
    return sha.slice(0, 12);
}


/***/ })

};
;