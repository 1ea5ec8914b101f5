"use strict";
exports.id = 201;
exports.ids = [201];
exports.modules = {

/***/ 9201:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ run)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/host.ts
var src_host = __webpack_require__(2237);
// EXTERNAL MODULE: ./src/protocol.ts
var protocol = __webpack_require__(8667);
// EXTERNAL MODULE: ./src/inputs.ts + 1 modules
var inputs = __webpack_require__(257);
// EXTERNAL MODULE: ./src/path-patterns.ts
var path_patterns = __webpack_require__(2390);
// EXTERNAL MODULE: ./src/text.ts
var src_text = __webpack_require__(8992);
;// CONCATENATED MODULE: ./src/plan.ts


function chooseBase(facts) {
    return facts.deployed ? { base: facts.deployed, baseSource: 'deployed' } : { base: facts.head, baseSource: 'head' };
}
/** Parses `git diff --no-renames --name-status -z`: status and path alternate, NUL-separated. */
function parseNameStatus(output) {
    const fields = output.split('\0');
    const changes = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
        const letter = fields[i].charAt(0);
        const path = fields[i + 1];
        const status = letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : 'modified';
        changes.push({ status, path });
    }
    return changes;
}
/**
 * The changes may hold more files than the migrations (git was given only the patterns' literal
 * directories): the patterns pick the migrations from it.
 */
function makePlan(facts, diff, mode, migrationsPaths) {
    const { base, baseSource } = chooseBase(facts);
    const isMigration = (0,path_patterns/* pathMatcher */.kZ)(migrationsPaths);
    const changes = parseNameStatus(diff.nameStatus).filter((change) => isMigration(change.path));
    const of = (status) => changes.filter((c) => c.status === status).map((c) => c.path);
    const newMigrations = of('added');
    const deletedMigrations = of('deleted');
    const modifiedMigrations = of('modified');
    const warnings = [];
    if (baseSource === 'head') {
        warnings.push({
            message: `no deploy by this action is recorded on the host: new migrations are counted from HEAD ${(0,src_text/* shortSha */.Fu)(base)}; ` +
                'if the database may be behind that commit, deploy with migrate: always',
        });
    }
    else if (facts.head !== facts.deployed) {
        warnings.push({
            message: `HEAD on the host (${(0,src_text/* shortSha */.Fu)(facts.head)}) is not the last deployed commit ${(0,src_text/* shortSha */.Fu)(facts.deployed)}: ` +
                'someone checked out by hand; new migrations are counted from the recorded commit',
        });
    }
    if (!diff.ancestor) {
        warnings.push({
            message: `${(0,src_text/* shortSha */.Fu)(facts.target)} does not descend from the base ${(0,src_text/* shortSha */.Fu)(base)} (a downgrade or a diverged branch): ` +
                'migrations are compared tree to tree; migrations applied on the base stay applied',
        });
    }
    for (const path of deletedMigrations) {
        warnings.push({ message: `migration file ${(0,src_text/* quotePath */.WG)(path)} is deleted by this deploy: sqlx refuses to run when an applied migration is missing`, file: path });
    }
    for (const path of modifiedMigrations) {
        warnings.push({ message: `migration file ${(0,src_text/* quotePath */.WG)(path)} is modified by this deploy: sqlx refuses to run when an applied migration changed`, file: path });
    }
    const count = `${newMigrations.length} new migration file${newMigrations.length === 1 ? '' : 's'}`;
    let migrate;
    let reason;
    if (mode === 'always') {
        migrate = true;
        reason = `migrate: always (${count}): stop, migrate, start`;
    }
    else if (mode === 'never') {
        migrate = false;
        reason = `migrate: never (${count}): restart only`;
        if (newMigrations.length > 0) {
            // The record moves past them: later auto deploys will not count them again. A backend
            // that applies its migrations itself at start (CatColab from September 2025) gets them
            // from the restart; any other needs the migrate command run some other way.
            warnings.push({
                message: `migrate: never, so the migrate command does not run for ${count}, and later deploys will not count them again: ` +
                    'unless the backend applies migrations itself when it starts, run the migrate command on the host, or deploy with migrate: always',
            });
        }
    }
    else {
        migrate = newMigrations.length > 0;
        reason = migrate ? `${count} since ${(0,src_text/* shortSha */.Fu)(base)}: stop, migrate, start` : `no new migration files since ${(0,src_text/* shortSha */.Fu)(base)}: restart only`;
    }
    return {
        previous: facts.head,
        target: facts.target,
        base,
        baseSource,
        newMigrations,
        deletedMigrations,
        modifiedMigrations,
        migrate,
        reason,
        warnings,
        overrides: [],
    };
}
/** Whether this environment deploys the target: a moved ref, a commit off its branches, or a step back stop it. */
function judgeTarget(facts, policy) {
    const warnings = [];
    if (policy.expectedSha !== null && facts.expected !== facts.target) {
        const peeled = facts.expected !== policy.expectedSha ? ` (the tag object ${(0,src_text/* shortSha */.Fu)(policy.expectedSha)} tags ${(0,src_text/* shortSha */.Fu)(facts.expected)})` : '';
        return {
            action: 'refuse',
            reason: `ref ${policy.ref} names ${facts.target}, not the expected commit ${policy.expectedSha}${peeled}: ` +
                'it moved after the workflow started; nothing was deployed: run the workflow for the ref as it is now',
        };
    }
    if (policy.allowedBranches.length > 0 && facts.containing.length === 0) {
        const branches = `${policy.allowedBranches.join(', ')} of ${policy.remote}`;
        if (!policy.allowOutsideBranches) {
            return {
                action: 'refuse',
                reason: `${(0,src_text/* shortSha */.Fu)(facts.target)} (ref ${policy.ref}) is on none of the branches this environment deploys from (allowed-branches: ${branches}); ` +
                    'nothing was deployed: merge it first, or, to deploy it anyway, run with allow-outside-branches: true (it is recorded)',
            };
        }
        warnings.push({
            message: `${(0,src_text/* shortSha */.Fu)(facts.target)} (ref ${policy.ref}) is on none of the allowed branches (${branches}): deployed anyway because allow-outside-branches is true`,
        });
    }
    if (facts.older) {
        if (!policy.allowOlder) {
            return {
                action: 'skip',
                reason: `ref ${policy.ref} (${(0,src_text/* shortSha */.Fu)(facts.target)}) is older than the deployed ${(0,src_text/* shortSha */.Fu)(facts.deployed)}, an ancestor of it: ` +
                    'skipped, nothing was changed; to go back on purpose, deploy with allow-older: true',
            };
        }
        warnings.push({
            message: `going back: ${(0,src_text/* shortSha */.Fu)(facts.target)} is older than the deployed ${(0,src_text/* shortSha */.Fu)(facts.deployed)} (allow-older is true); migrations applied since stay applied`,
        });
    }
    return { action: 'deploy', warnings };
}

// EXTERNAL MODULE: external "node:string_decoder"
var external_node_string_decoder_ = __webpack_require__(6193);
;// CONCATENATED MODULE: ./src/run-log.ts
/**
 * Turns the host's run log, as it streams in, into the job log: one group per phase with its
 * elapsed time. Host output must never act as a workflow command: each line is prefixed, and the
 * sink (src/log.ts) escapes every line it writes.
 */

class RunLog {
    sink;
    phases = [];
    /**
     * The run's result (KEY=VALUE lines, protocol.ts), once the log's end marker came: the run
     * repeats its result there as its last act. null until then, and for a run that died.
     */
    result = null;
    resultLines = [];
    decoder = new external_node_string_decoder_.StringDecoder('utf8');
    partial = '';
    marker;
    /** nonce: random per run, so no ordinary command output is taken for a phase marker. */
    constructor(nonce, sink) {
        this.sink = sink;
        this.marker = `@@${nonce} `;
    }
    /** Takes the next chunk of the log; true once the log's end came (the rest is of no use). */
    push(chunk) {
        const lines = (this.partial + this.decoder.write(chunk)).split('\n');
        this.partial = lines.pop();
        for (const line of lines) {
            this.line(line);
            if (this.result !== null) {
                // Nothing after the end belongs to the run's log, nor a piece of a line.
                this.partial = '';
                return true;
            }
        }
        return false;
    }
    /** Prints a last line that had no newline. */
    flush() {
        const rest = this.partial + this.decoder.end();
        this.partial = '';
        if (rest)
            this.line(rest);
    }
    get open() {
        const last = this.phases.at(-1);
        return last && last.end === null ? last : undefined;
    }
    line(line) {
        // A marker may follow output that did not end with a newline.
        const at = line.indexOf(this.marker);
        const text = at === -1 ? line : line.slice(0, at);
        if (at !== 0) {
            this.open?.output.push(text);
            this.sink.info(`| ${text}`);
        }
        if (at === -1)
            return;
        const marked = line.slice(at + this.marker.length);
        if (marked.startsWith('result '))
            this.resultLines.push(marked.slice('result '.length));
        if (marked === 'end')
            this.result = this.resultLines.join('\n');
        const [kind, name, event, ...rest] = marked.split(' ');
        if (kind !== 'phase' || !name)
            return;
        if (event === 'begin') {
            this.phases.push({ name, begin: Number(rest[0]), end: null, code: null, output: [] });
            this.sink.startGroup(name);
        }
        else if (event === 'end' && this.open?.name === name) {
            const phase = this.open;
            phase.code = Number(rest[0]);
            phase.end = Number(rest[1]);
            this.sink.endGroup();
            const took = formatDuration(phase.end - phase.begin);
            this.sink.info(phase.code === 0 ? `✔ ${name} (${took})` : `✘ ${name} failed with exit status ${phase.code} after ${took}`);
        }
    }
}
function formatDuration(ms) {
    if (ms < 10_000)
        return `${(ms / 1000).toFixed(1)} s`;
    const seconds = Math.round(ms / 1000);
    if (seconds < 120)
        return `${seconds} s`;
    return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

// EXTERNAL MODULE: ./src/ssh.ts
var ssh = __webpack_require__(873);
;// CONCATENATED MODULE: ./src/summary.ts


function deploySummary(report) {
    const { plan } = report;
    const title = report.outcome === 'success'
        ? `✅ Deployed ${report.ref} to ${report.host}`
        : report.outcome === 'dry-run'
            ? `🔍 Dry run: deploying ${report.ref} to ${report.host} would…`
            : `❌ Deploy of ${report.ref} to ${report.host} failed`;
    const lines = [`## ${summary_escape(title)}`, ''];
    if (report.outcome === 'failed')
        lines.push(`**${summary_escape(report.message)}**`, '');
    const rows = [
        ['Target', `${(0,src_text/* codeSpan */.SS)(report.ref, { table: true })} → ${commit(plan.target, report)}`],
        ['Previous', commit(plan.previous, report)],
        ['Now running', report.outcome === 'dry-run' ? `${commit(report.running, report)} (unchanged)` : commit(report.running, report)],
        ['Base', `${commit(plan.base, report)} (${plan.baseSource === 'deployed' ? 'last deploy recorded on the host' : 'HEAD: no deploy recorded yet'})`],
        ['Migrations', `${plan.migrate ? 'migrate' : 'no migration'}: ${summary_escape(plan.reason)}`],
    ];
    if (report.downtime) {
        const { begin, end } = report.downtime;
        // After a stop or a failed restart, the services may be down while the previous commit builds.
        const rollbackRebuild = report.phases.some((p) => p.name === 'rollback-build') && report.phases.some((p) => p.name === 'stop' || (p.name === 'restart' && p.code !== 0));
        const took = end === null ? 'services not confirmed back (see below)' : formatDuration(end - begin);
        rows.push(['Downtime', rollbackRebuild ? `${took}, including the rebuild of the previous commit` : took]);
    }
    lines.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '');
    if (plan.newMigrations.length > 0) {
        lines.push('New migration files:', '', ...plan.newMigrations.map((path) => `- ${(0,src_text/* codeSpan */.SS)((0,src_text/* quotePath */.WG)(path))}`), '');
    }
    if (report.phases.length > 0) {
        lines.push('| Phase | Result | Duration |', '|---|---|---|');
        for (const phase of report.phases) {
            const result = phase.code === null ? 'did not finish' : phase.code === 0 ? 'ok' : `failed (exit ${phase.code})`;
            const took = phase.end === null ? '' : formatDuration(phase.end - phase.begin);
            lines.push(`| ${summary_escape(phase.name)} | ${result} | ${took} |`);
        }
        lines.push('');
    }
    if (plan.warnings.length > 0) {
        lines.push('Warnings:', '', ...plan.warnings.map((w) => `- ⚠️ ${warningText(w)}`), '');
    }
    if (report.logs?.trim()) {
        lines.push('<details open><summary>Service logs</summary>', '', '<pre>', escapeHtml(report.logs.trimEnd()), '</pre>', '</details>', '');
    }
    if (report.statusOutput.trim()) {
        lines.push('<details><summary>Status</summary>', '', '<pre>', escapeHtml(report.statusOutput.trimEnd()), '</pre>', '</details>', '');
    }
    return lines.join('\n');
}
function commit(sha, report) {
    return sha ? commitLink(sha, report.commitUrl) : '(none)';
}
/** A commit's short sha in a table cell, linked when commitUrl gives a link. */
function commitLink(sha, commitUrl) {
    const short = (0,src_text/* codeSpan */.SS)((0,src_text/* shortSha */.Fu)(sha), { table: true });
    const url = commitUrl(sha);
    return url ? `[${short}](${url})` : short;
}
/** A warning's text, with the (C-quoted) path of the file it is about as a code span. */
function warningText(warning) {
    const path = warning.file === undefined ? '' : (0,src_text/* quotePath */.WG)(warning.file);
    const at = path ? warning.message.indexOf(path) : -1;
    if (at === -1)
        return summary_escape(warning.message);
    return `${summary_escape(warning.message.slice(0, at))}${(0,src_text/* codeSpan */.SS)(path)}${summary_escape(warning.message.slice(at + path.length))}`;
}
function escapeHtml(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
/** Plain text in markdown: no markup, links, mentions or table breaks. */
function summary_escape(text) {
    return escapeHtml(text)
        .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1')
        .replace(/@/g, '@\u200b')
        .replace(/\n/g, ' ');
}
/** The summary of a deploy skipped because its target is older than what runs. */
function skipSummary(skip) {
    const link = (sha) => commitLink(sha, skip.commitUrl);
    return [
        `## ${summary_escape(`⏭️ Skipped ${skip.ref} on ${skip.host}: nothing was changed`)}`,
        '',
        summary_escape(skip.reason),
        '',
        '| | |',
        '|---|---|',
        `| Target | ${(0,src_text/* codeSpan */.SS)(skip.ref, { table: true })} → ${link(skip.target)} |`,
        `| Last deployed | ${link(skip.deployed)} (unchanged) |`,
        '',
    ].join('\n');
}

;// CONCATENATED MODULE: ./src/deploy.ts
/**
 * The deploy command: connect, prepare and plan (one call), then start the host-side run detached
 * from this session and follow its log (the same call; reconnecting when the connection drops) to
 * its true end, where the run's result is.
 */










/** A run that finds the host changed under the lock is planned again, this many times. */
const MAX_PLANS = 10;
async function deploy(settings, io) {
    const link = await HostLink.open(settings, io);
    let reported = false;
    const progress = { run: 'none' };
    try {
        for (let attempt = 1;; attempt++) {
            progress.run = 'none';
            const planned = await makeDeployPlan(settings, link.host, io);
            if (planned.skip !== null) {
                reported = true;
                await skip(settings, io, planned.prepared, planned.skip);
                return;
            }
            const { plan } = planned;
            if (settings.dryRun) {
                io.setOutput('deployed-sha', plan.previous);
                await writeSummary(settings, io, plan, 'dry-run', 'dry run: nothing was changed', plan.previous, [], null);
                return;
            }
            io.observer?.planned(plan);
            const nonce = (0,external_node_crypto_.randomBytes)(12).toString('hex');
            const log = new RunLog(nonce, io);
            const run = await startAndFollow(settings, io, link, runParams(settings, plan, nonce), log, progress);
            // The log ends with the run's result; a run that died never wrote it there.
            const result = log.result === null ? await link.host.result(run) : (0,protocol/* parseRunResult */.a8)(log.result);
            if (result.outcome === 'stale' && attempt < MAX_PLANS) {
                io.info(result.message || 'the host changed since the plan was made; planning again');
                continue;
            }
            reported = true; // report() tells the observer itself
            await report(settings, io, link.host, plan, result, log);
            return;
        }
    }
    catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!reported)
            io.observer?.finished({ outcome: 'error', running: '', message, run: progress.run });
        throw error;
    }
    finally {
        link.close();
    }
}
/**
 * The one owner of the SSH connection a deploy uses: a reconnect replaces it, and deploy()
 * closes whichever is current on every path, so no session outlives the action.
 */
class HostLink {
    settings;
    io;
    session;
    host;
    constructor(settings, io, session, host) {
        this.settings = settings;
        this.io = io;
        this.session = session;
        this.host = host;
    }
    static async open(settings, io) {
        const session = await io.connect();
        return new HostLink(settings, io, session, (0,src_host/* sshHost */.TE)(session, settings.repoPath));
    }
    /** After a dropped connection: connects again within reconnect-timeout, else fails saying `pending`. */
    async reconnect(pending) {
        this.session.close();
        this.session = await reconnect(this.settings, this.io, pending);
        this.host = (0,src_host/* sshHost */.TE)(this.session, this.settings.repoPath);
    }
    close() {
        this.session.close();
    }
}
async function makeDeployPlan(settings, host, io) {
    io.startGroup('plan');
    try {
        const { commands } = settings;
        const prepared = await host.prepare({
            remote: settings.remote,
            ref: settings.ref,
            expectedSha: settings.expectedSha ?? '',
            branches: settings.allowedBranches,
            needCurl: settings.healthUrl !== null,
            commandWords: Object.values(commands).map(inputs/* commandWord */.I),
            migrationsPaths: settings.migrationsPaths,
        });
        io.info(`host ${settings.connection.host} runs ${prepared.head}${prepared.branch ? ` (branch ${prepared.branch})` : ''}`);
        io.info(`ref ${settings.ref} is ${prepared.target}`);
        const verdict = judgeTarget(prepared, settings);
        if (verdict.action === 'refuse')
            throw new errors/* UserError */.y(verdict.reason);
        if (verdict.action === 'skip')
            return { skip: verdict.reason, prepared };
        const base = chooseBase(prepared).base;
        const changes = prepared.changes.get(base);
        if (!changes)
            throw new Error(`host.sh prepare reported no changes from ${base}`);
        const plan = makePlan(prepared, changes, settings.migrate, settings.migrationsPaths);
        plan.warnings.unshift(...verdict.warnings);
        plan.overrides = [
            ...(settings.allowedBranches.length > 0 && prepared.containing.length === 0 ? ['allow-outside-branches'] : []),
            ...(prepared.older ? ['allow-older'] : []),
        ];
        if (prepared.containing.length > 0)
            io.info(`${prepared.target} is on ${prepared.containing.join(', ')} of ${settings.remote}`);
        io.info(`base ${plan.base} (${plan.baseSource === 'deployed' ? 'the last deploy recorded on the host' : 'HEAD: no deploy recorded yet'})`);
        for (const path of plan.newMigrations)
            io.info(`new migration: ${(0,src_text/* quotePath */.WG)(path)}`);
        io.info(`decision: ${plan.reason}`);
        io.setOutput('previous-sha', plan.previous);
        io.setOutput('migrated', String(plan.migrate));
        // One path per line: C-quoted, so a newline in a name cannot split it.
        io.setOutput('new-migrations', plan.newMigrations.map(src_text/* quotePath */.WG).join('\n'));
        // Annotations are seen on the run's page without opening the log.
        for (const warning of plan.warnings)
            io.warning(warning.message, warning.file);
        return { plan, skip: null };
    }
    finally {
        io.endGroup();
    }
}
/** A target older than what runs: nothing changes and nothing is recorded; the deployed commit is the output. */
async function skip(settings, io, prepared, reason) {
    // Only a target older than the recorded commit is skipped: the record is what runs.
    const deployed = prepared.deployed;
    io.notice(reason);
    io.setOutput('previous-sha', prepared.head);
    io.setOutput('deployed-sha', deployed);
    io.setOutput('migrated', 'false');
    io.setOutput('new-migrations', '');
    io.observer?.finished({ outcome: 'skipped', running: deployed, message: reason });
    await io.writeSummary(skipSummary({ host: settings.connection.host, ref: settings.ref, target: prepared.target, deployed, reason, commitUrl: io.commitUrl }));
}
/**
 * Starts the run and follows its log to its end, in one call; a connection that drops meanwhile
 * is made again, and the start sent again with the same token: the host then finds the run it
 * started (if it did) and goes on with the log where it stopped. Returns the run's id.
 */
async function startAndFollow(settings, io, link, params, log, progress) {
    const token = (0,external_node_crypto_.randomBytes)(12).toString('hex');
    io.observer?.starting(token);
    let run = '';
    let offset = 0;
    const started = (id) => {
        if (run)
            return; // found again after a reconnect
        run = id;
        progress.run = 'started';
        io.observer?.started(run);
        io.info(`The deploy runs on the host as run ${run}, detached: it finishes even if this job is cancelled or the connection drops.`);
    };
    for (;;) {
        try {
            await link.host.start(params, token, offset, started, (chunk) => {
                offset += chunk.length;
                return log.push(chunk);
            });
            log.flush();
            return run;
        }
        catch (error) {
            // The host refused (a one-line problem): nothing started, unless an earlier try did.
            if (!(error instanceof ssh/* ConnectionLost */.pz))
                throw error;
            if (run) {
                io.warning(`The SSH connection dropped while the host was deploying (run ${run}); reconnecting to follow it.`);
                await link.reconnect(`the host may still be deploying run ${run}`);
            }
            else {
                progress.run = 'maybe';
                io.warning(`The SSH connection dropped while the deploy was starting; reconnecting to find the run (token ${token}), or start it.`);
                await link.reconnect(`the deploy may have started on ${settings.connection.host} as a run whose id ends in ${token}`);
            }
        }
    }
}
function runParams(settings, plan, nonce) {
    const { commands } = settings;
    return {
        repo: settings.repoPath,
        target: plan.target,
        expected_deployed: plan.baseSource === 'deployed' ? plan.base : '',
        expected_head: plan.previous,
        migrate: plan.migrate ? 'true' : 'false',
        build: commands.build,
        stop: commands.stop,
        migrate_command: commands.migrate,
        start: commands.start,
        restart: commands.restart,
        status: commands.status,
        health_url: settings.healthUrl ?? '',
        rollback: settings.rollback ? 'true' : 'false',
        health_timeout: String(settings.healthTimeout),
        lock_timeout: String(settings.lockTimeout),
        command_timeout: String(settings.commandTimeout),
        nonce,
        actor: settings.requester.actor,
        run_url: settings.requester.runUrl,
    };
}
async function reconnect(settings, io, pending) {
    const deadline = Date.now() + settings.connection.reconnectTimeout * 1000;
    let delay = 1000;
    let last = '';
    while (Date.now() < deadline) {
        await io.sleep(delay);
        try {
            const session = await io.connect();
            io.info('reconnected');
            return session;
        }
        catch (error) {
            last = error instanceof Error ? error.message : String(error);
            // A changed host key is no passing fault: stop at once.
            if (error instanceof ssh/* HostKeyRejected */.Mf)
                throw error;
            delay = Math.min(delay * 2, 15_000);
        }
    }
    throw new errors/* UserError */.y(`lost the connection to ${settings.connection.host} and could not reconnect within ${settings.connection.reconnectTimeout} s (${last}): ` +
        `${pending}; check with command: status`);
}
async function report(settings, io, host, plan, result, log) {
    const outcome = result.outcome === 'success' ? 'success' : 'failed';
    // What the services run and what is checked out can differ after a failure. A run that died
    // never said what runs: the plan's view is the best left.
    const serving = result.serving.state === 'unknown' ? plan.previous : result.serving.state === 'commit' ? result.serving.sha : '';
    const checkout = result.checkout || plan.previous;
    // A run that never got the lock (or found the plan stale) touched nothing: it knows no more.
    const untouched = result.outcome === 'lock-timeout' || result.outcome === 'stale';
    const state = untouched
        ? 'this run changed nothing on the host'
        : serving
            ? `the host runs ${serving}${checkout === serving ? '' : ` (checkout ${checkout})`}`
            : `the services may be down (checkout ${checkout})`;
    io.setOutput('deployed-sha', untouched ? '' : serving || checkout);
    io.setOutput('migrated', result.migrated ? 'true' : 'false');
    const message = [failureMessage(result), migrationsLeft(plan, result)].filter(Boolean).join('; ');
    const logs = outcome === 'failed' && settings.logsCommand ? await serviceLogs(io, host, settings.logsCommand) : null;
    io.observer?.finished({
        outcome: outcome === 'success' ? 'success' : 'failure',
        running: serving,
        down: result.serving.state === 'down',
        message,
        host: { outcome: result.outcome, failedPhase: result.failedPhase || result.phase },
    });
    await writeSummary(settings, io, plan, outcome, message, serving, log.phases, result.downtime, logs);
    if (outcome !== 'success')
        throw new errors/* UserError */.y(`deploy failed: ${message}; ${state}`);
}
function failureMessage(result) {
    if (result.outcome === 'stale') {
        return `the host changed under each of ${MAX_PLANS} plans (other deploys kept running); nothing was changed by this run: run it again`;
    }
    // The run's log was followed to its end: a run still "running" died.
    return (0,protocol/* describeRun */.vZ)(result, false).words;
}
/** A rollback does not undo migrations: say which stay applied. */
function migrationsLeft(plan, result) {
    if (result.outcome === 'success' || plan.newMigrations.length === 0)
        return '';
    const files = plan.newMigrations.map(src_text/* quotePath */.WG).join(', ');
    if (result.migrated)
        return `the migrations stay applied: ${files}`;
    if (result.failedPhase === 'migrate')
        return `any of ${files} that ran before the failure stay applied (check with sqlx migrate info)`;
    return '';
}
/** Shows the services' own logs after a failure; a failing logs command is only a warning. */
async function serviceLogs(io, host, command) {
    try {
        const { code, output } = await host.command(command);
        io.startGroup('service logs');
        for (const line of output.trimEnd().split('\n'))
            io.info(`| ${line}`);
        io.endGroup();
        if (code !== 0)
            io.warning(`logs-command exited ${code}`);
        return output;
    }
    catch (error) {
        io.warning(`could not run logs-command: ${error instanceof Error ? error.message : String(error)}`);
        return null;
    }
}
async function writeSummary(settings, io, plan, outcome, message, running, phases, downtime, logs = null) {
    const statusOutput = (phases.find((phase) => phase.name === 'status')?.output ?? []).join('\n');
    if (outcome !== 'dry-run')
        io.setOutput('status', statusOutput);
    await io.writeSummary(deploySummary({
        host: settings.connection.host,
        ref: settings.ref,
        plan,
        outcome,
        message,
        running,
        phases,
        downtime,
        statusOutput,
        logs,
        commitUrl: io.commitUrl,
    }));
}

// EXTERNAL MODULE: ./src/log.ts
var log = __webpack_require__(5625);
// EXTERNAL MODULE: ./src/runner.ts
var src_runner = __webpack_require__(4813);
// EXTERNAL MODULE: ./src/runner-io.ts
var runner_io = __webpack_require__(6842);
;// CONCATENATED MODULE: ./src/status.ts
/**
 * The status command: what the host runs, whether a deploy is under way, how the last one
 * ended, and the status command's text. Changes nothing.
 */



async function status_status(settings, io) {
    const session = await io.connect();
    try {
        const host = (0,src_host/* sshHost */.TE)(session, settings.repoPath);
        const state = await host.state();
        const deployed = state.deployed || state.head;
        const lines = [];
        const say = (line) => {
            io.info(line);
            lines.push(line);
        };
        say(state.deployed ? `last deployed commit: ${state.deployed}` : `no deploy recorded on the host; HEAD is ${state.head}`);
        if (state.deployed && state.head !== state.deployed) {
            io.warning(`HEAD on the host (${state.head}) is not the last deployed commit (${state.deployed}): someone checked out by hand`);
        }
        if (state.busy) {
            const holder = state.holder;
            say(holder
                ? `a deploy is running now: target ${holder.target || '?'}, started by ${holder.actor || '?'} (${holder.runUrl || 'no run URL'}) since ${holder.since || '?'}`
                : 'a deploy is running now');
        }
        else {
            say('no deploy is running now');
        }
        if (state.last) {
            const { state: where, words } = (0,protocol/* describeRun */.vZ)(state.last, state.last.alive);
            say(where === 'ended' ? `last run ${state.last.run}: ${state.last.outcome} at phase ${state.last.phase}: ${words}` : words);
        }
        io.startGroup('status command');
        const result = await host.command(settings.statusCommand);
        for (const line of result.output.trimEnd().split('\n'))
            io.info(`| ${line}`);
        io.endGroup();
        if (result.code !== 0)
            io.warning(`the status command exited ${result.code}: the services may not be running`);
        io.setOutput('deployed-sha', deployed);
        io.setOutput('status', result.output.trimEnd());
        await io.writeSummary([`## Status of ${summary_escape(settings.connection.host)}`, '', ...lines.map((line) => `- ${summary_escape(line)}`), ''].join('\n'));
    }
    finally {
        session.close();
    }
}

;// CONCATENATED MODULE: ./src/main.ts
/**
 * Entry point for every command: mask secrets, parse inputs, dispatch, report one clear line.
 */








/**
 * Runs the step; runner: the job's environment (runner.ts), and input: its inputs, both read
 * once by index.ts. What only some commands need (the GitHub API client) is imported when needed.
 */
async function run(runner, input) {
    // A cancelled workflow sends SIGINT, then SIGTERM: the host goes on deploying regardless.
    for (const signal of ['SIGINT', 'SIGTERM']) {
        process.once(signal, () => {
            log/* jobLog */.W.fail(`the action was stopped (${signal}); a deploy it started goes on to its end on the host: check it with command: status`);
            process.exit(1);
        });
    }
    try {
        // The runner runs index.js again as the post step; this tells it apart.
        runner_io/* runnerIO */.$.saveState(src_runner/* STATE */.c4.isPost, 'true');
        maskSecrets(input);
        const settings = (0,inputs/* parseSettings */.P$)(input, { actor: runner.actor, runUrl: runner.runUrl });
        if (settings.command === 'pr-report')
            return await (await Promise.all(/* import() */[__webpack_require__.e(239), __webpack_require__.e(845), __webpack_require__.e(775)]).then(__webpack_require__.bind(__webpack_require__, 5775))).runPrReport(settings, runner);
        const io = {
            connect: () => (0,ssh/* connect */.Ng)(settings.connection),
            info: log/* jobLog */.W.info,
            startGroup: log/* jobLog */.W.startGroup,
            endGroup: log/* jobLog */.W.endGroup,
            warning: log/* jobLog */.W.warning,
            notice: log/* jobLog */.W.notice,
            setOutput: runner_io/* runnerIO */.$.setOutput,
            writeSummary: (markdown) => {
                runner_io/* runnerIO */.$.appendSummary(markdown);
                return Promise.resolve();
            },
            commitUrl: (sha) => (0,src_runner/* commitUrl */.Bg)(runner, sha),
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        };
        if (settings.command === 'status')
            return await status_status(settings, io);
        // A dry run records nothing. The records go alongside the deploy, and are all sent before the step ends.
        const records = settings.dryRun || !settings.records ? undefined : (await Promise.all(/* import() */[__webpack_require__.e(239), __webpack_require__.e(845), __webpack_require__.e(42)]).then(__webpack_require__.bind(__webpack_require__, 6661))).recordsFor(settings, runner);
        try {
            await deploy(settings, { ...io, observer: records });
        }
        finally {
            await records?.done();
        }
    }
    catch (error) {
        // A user's mistake or a reported failure is one line; anything else is a bug and keeps its stack.
        if (error instanceof errors/* UserError */.y)
            log/* jobLog */.W.fail(error.message);
        else
            log/* jobLog */.W.failWithStack(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
}
/** Masks the key line by line (the runner masks a multi-line secret only as a whole) and the passphrase. */
function maskSecrets(input) {
    for (const line of input('private-key').split(/\r?\n/)) {
        if (line.trim())
            runner_io/* runnerIO */.$.mask(line.trim());
    }
    const passphrase = input('passphrase');
    if (passphrase)
        runner_io/* runnerIO */.$.mask(passphrase);
    const token = input('github-token').trim();
    if (token)
        runner_io/* runnerIO */.$.mask(token);
}


/***/ })

};
;