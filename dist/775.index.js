"use strict";
exports.id = 775;
exports.ids = [775];
exports.modules = {

/***/ 5775:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  prReport: () => (/* binding */ prReport),
  runPrReport: () => (/* binding */ runPrReport)
});

// EXTERNAL MODULE: ./src/text.ts
var src_text = __webpack_require__(8992);
;// CONCATENATED MODULE: ./src/comment.ts
/**
 * The pull request comment of the pr-report command: facts in, markdown out (pure).
 *
 * Everything a pull request's author controls (file names, branch names) and everything read
 * back from records (refs, status descriptions) goes into code spans, with control and
 * bidirectional characters shown as escapes: inside a code span GitHub renders no markdown and
 * no HTML, and links no @mentions or #references.
 *
 * The comment also keeps what the pull request's files said (FileFacts) in a hidden last line, so
 * a later run for the same head can write it again without reading the files. Anyone who can edit
 * the comment can edit that line: keptFiles reads it back strictly, and what it holds only ever
 * reaches the comment as it did the first time, in code spans and as counts.
 */

/** Files listed by name before "and N more". */
const LIST_LIMIT = 10;
/** GitHub lists at most this many files of a pull request. */
const FILES_LIMIT = 3000;
/** Longest name shown in full. */
const NAME_MAX = 300;
/** GitHub refuses a comment body longer than this (422). */
const BODY_MAX = 65_536;
const MARKER_PREFIX = '<!-- catcolab-deploy pr-report';
/** The hidden first line that finds the comment again (with its author), one comment per environment. */
function marker(environment) {
    return `${MARKER_PREFIX} environment=${encodeURIComponent(environment)} `;
}
/** The head a comment was written for, from its marker; null when it has none. */
function reportedHead(body) {
    return /^<!-- catcolab-deploy pr-report [^\n]*? head=([0-9a-f]{40}) -->/.exec(body)?.[1] ?? null;
}
/** Adds a file to FileFacts: counted, and listed (clipped as shown) while the list is short. */
function addFile(list, name) {
    if (list.length < LIST_LIMIT)
        list.push(clip(name));
}
const DATA_PREFIX = '<!-- catcolab-deploy files=';
/** The hidden last line: the file facts as base64 JSON, with the head, base and key they hold for. */
function dataLine(facts) {
    const { backendFiles, backendFileCount, addedMigrations, addedMigrationCount, incomplete } = facts.files;
    const data = {
        v: 1,
        head: facts.pullRequest.headSha,
        base: facts.pullRequest.baseRef,
        key: facts.filesKey,
        backendFiles,
        backendFileCount,
        addedMigrations,
        addedMigrationCount,
        incomplete,
    };
    return `${DATA_PREFIX}${Buffer.from(JSON.stringify(data), 'utf8').toString('base64')} -->`;
}
/**
 * The file facts a comment keeps, when they hold for this head, base and key; null when the
 * comment has none or they are not exactly what renderComment writes (someone edited them).
 */
function keptFiles(body, expected) {
    const encoded = new RegExp(`\n${DATA_PREFIX}([A-Za-z0-9+/]+={0,2}) -->\n$`).exec(body)?.[1];
    if (!encoded)
        return null;
    let data;
    try {
        data = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    }
    catch {
        return null;
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data))
        return null;
    const d = data;
    const keys = ['v', 'head', 'base', 'key', 'backendFiles', 'backendFileCount', 'addedMigrations', 'addedMigrationCount', 'incomplete'];
    if (Object.keys(d).length !== keys.length || !keys.every((key) => Object.hasOwn(d, key)))
        return null;
    if (d['v'] !== 1 || d['head'] !== expected.headSha || d['base'] !== expected.baseRef || d['key'] !== expected.filesKey || typeof d['incomplete'] !== 'boolean')
        return null;
    const backendFiles = namesOf(d['backendFiles'], d['backendFileCount']);
    const addedMigrations = namesOf(d['addedMigrations'], d['addedMigrationCount']);
    if (!backendFiles || !addedMigrations)
        return null;
    const files = {
        backendFiles,
        backendFileCount: d['backendFileCount'],
        addedMigrations,
        addedMigrationCount: d['addedMigrationCount'],
        incomplete: d['incomplete'],
    };
    // Exactly as renderComment writes it, byte for byte.
    const written = dataLine({ pullRequest: { headSha: expected.headSha, baseRef: expected.baseRef }, filesKey: expected.filesKey, files });
    return written === `${DATA_PREFIX}${encoded} -->` ? files : null;
}
/** A kept list of names, when it is one addFile could have made for that count. */
function namesOf(names, count) {
    if (!Number.isSafeInteger(count) || count < 0 || count > FILES_LIMIT)
        return null;
    if (!Array.isArray(names) || names.length !== Math.min(count, LIST_LIMIT))
        return null;
    if (!names.every((name) => typeof name === 'string' && clip(name) === name))
        return null;
    return [...names];
}
function renderComment(facts) {
    const body = renderVisible(facts);
    // Without the facts (only a comment near GitHub's limit), the next run reads the files again.
    const withData = `${body}\n${dataLine(facts)}\n`;
    return withData.length <= BODY_MAX ? withData : body;
}
function renderVisible(facts) {
    const { deployed, environment } = facts;
    const base = code(facts.pullRequest.baseRef);
    const backend = comment_link(hostOf(facts.backendUrl), facts.backendUrl);
    const lines = [`${marker(environment)}head=${facts.pullRequest.headSha} -->`, '### Backend for this preview', ''];
    if (deployed) {
        const commit = comment_link(code((0,src_text/* shortSha */.Fu)(deployed.sha)), `${facts.repositoryUrl}/commit/${deployed.sha}`);
        const run = deployed.runUrl ? ` (${comment_link('deploy run', deployed.runUrl)})` : '';
        lines.push(`The preview talks to **${backend}** (environment ${code(environment)}), which runs ${commit}, deployed ${when(deployed.at)}${run}.`);
    }
    else {
        lines.push(`The preview talks to **${backend}** (environment ${code(environment)}). No deploy to ${code(environment)} by catcolab-deploy has succeeded yet, ` +
            'so which commit it runs is unknown.');
    }
    lines.push('');
    if (deployed)
        lines.push(`- **Base ${base}:** ${baseLine(deployed.base, base)}`);
    const { files } = facts;
    const backendChanges = files.backendFileCount;
    if (backendChanges === 0) {
        lines.push(`- **Backend changes:** none${files.incomplete ? ` among the first ${FILES_LIMIT} files GitHub lists` : ''}.`);
    }
    else {
        // The sentence before the list: after it, it would continue the last item.
        const counted = `${count(backendChanges, 'file')}${files.incomplete ? ` (of the first ${FILES_LIMIT} files GitHub lists)` : ''}`;
        lines.push(`- **Backend changes:** ${counted}. ${previewLine(deployed, base)}`);
        lines.push(...list(files.backendFiles, backendChanges));
    }
    if (backendChanges === 0 && deployed?.thisPullRequest === 'head')
        lines.push("- ✅ The backend runs this pull request's head.");
    if (backendChanges === 0 && deployed?.thisPullRequest === 'earlier') {
        lines.push(`- The backend runs an earlier commit of this pull request's branch, ${code((0,src_text/* shortSha */.Fu)(deployed.sha))}.`);
    }
    const migrations = files.addedMigrationCount;
    lines.push(migrations === 0
        ? '- **Migrations:** none added.'
        : `- **Migrations:** adds ${count(migrations, 'migration')}, applied to the backend's database when it is deployed:`);
    if (migrations > 0)
        lines.push(...list(files.addedMigrations, migrations));
    if (facts.later)
        lines.push('', laterLine(facts.later, environment));
    lines.push('', `<sub>Updated by catcolab-deploy for this pull request's head ${code((0,src_text/* shortSha */.Fu)(facts.pullRequest.headSha))}; edits to this comment are overwritten.</sub>`);
    return lines.join('\n') + '\n';
}
function baseLine(comparison, base) {
    if (!comparison)
        return `could not compare the deployed commit with ${base} (GitHub could not find a common history).`;
    switch (comparison.status) {
        case 'identical':
            return `✅ up to date: the deployed commit is ${base}'s head.`;
        case 'ahead':
            return `✅ up to date: the deployed commit contains ${base}, plus ${count(comparison.aheadBy, 'commit')} not on ${base}.`;
        case 'behind':
            return `⚠️ ${count(comparison.behindBy, 'commit')} behind: the backend lacks what was merged into ${base} since it was deployed.`;
        case 'diverged':
            return (`⚠️ diverged: the deployed commit is not on ${base}; it lacks ${count(comparison.behindBy, 'commit')} of ${base} ` +
                `and has ${count(comparison.aheadBy, 'commit')} that ${base} does not.`);
    }
}
function previewLine(deployed, base) {
    if (deployed?.thisPullRequest === 'head')
        return "✅ The backend runs this pull request's head, so the preview **includes** these changes:";
    if (deployed?.thisPullRequest === 'earlier') {
        return (`⚠️ The backend runs an earlier commit of this pull request's branch, ${code((0,src_text/* shortSha */.Fu)(deployed.sha))}: ` +
            'the preview includes its backend changes up to that commit, **not** the ones pushed since:');
    }
    return `⚠️ The preview does **not** exercise these changes: the backend runs them only once they are merged into ${base} and deployed:`;
}
function laterLine(later, environment) {
    const run = later.runUrl ? `, ${comment_link('run', later.runUrl)}` : '';
    const what = `of ${code((0,src_text/* shortSha */.Fu)(later.sha))} (${when(later.at)}${run})`;
    if (later.state === 'failure' || later.state === 'error') {
        const description = later.description ? `: ${code(later.description)}` : '';
        return (`> [!NOTE]\n> A later deploy to ${code(environment)} ${what} ended in **${later.state}**${description}. ` +
            'The commit above is the last one deployed successfully; a failed deploy rolls back to it unless rollback is off, as its description then says.');
    }
    return `> [!NOTE]\n> A deploy to ${code(environment)} ${what} has not finished (${code(later.state || 'no status')}); this comment is updated once a deploy succeeds.`;
}
/** The first LIST_LIMIT of `total` items, then how many more. */
function list(items, total) {
    const shown = items.slice(0, LIST_LIMIT).map((item) => `  - ${code(item)}`);
    if (total > shown.length)
        shown.push(`  - and ${total - shown.length} more`);
    return shown;
}
/** Long text shortened to NAME_MAX characters, never between the two halves of a surrogate pair. */
function clip(text) {
    if (text.length <= NAME_MAX)
        return text;
    const end = /[\ud800-\udbff]/.test(text[NAME_MAX - 2]) ? NAME_MAX - 2 : NAME_MAX - 1;
    return `${text.slice(0, end)}…`;
}
/**
 * A code span holding text exactly, on one line: a fence longer than any run of backticks in it,
 * control, line-separating and bidirectional characters as escapes (text.ts codeSpan: \x0a, \u{202e}), long text shortened.
 */
function code(text) {
    return (0,src_text/* codeSpan */.SS)(clip(text));
}
/** A link to a URL this action built or was configured with; plain text when it is not a plain http(s) URL. */
function comment_link(text, url) {
    return /^https?:\/\/[^\s()<>[\]]+$/.test(url) ? `[${text}](${url})` : text;
}
function hostOf(url) {
    return URL.canParse(url) ? new URL(url).host : url;
}
function when(iso) {
    const time = Date.parse(iso);
    return Number.isNaN(time) ? 'at an unknown time' : `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
function count(n, noun) {
    return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

// EXTERNAL MODULE: ./src/github.ts
var github = __webpack_require__(9248);
;// CONCATENATED MODULE: ./src/comment-store.ts
/**
 * The sticky comment of the pr-report command: one comment per pull request and environment,
 * found again by its hidden marker (comment.ts marker) and its author, the token's own identity.
 * Writing creates it or updates it in place; a duplicate left by two runs at once is removed by
 * whichever run sees it, keeping the oldest. Every call goes through apiStep: a failure is one
 * line saying what could not be done and which permission it needs.
 */


/** Who authors comments made with the workflow's GITHUB_TOKEN (GitHub refuses GET /user for it). */
const WORKFLOW_BOT = 'github-actions[bot]';
/** Whose comments are ours: comment-author when set, else the token's user, else the workflow's bot. */
async function commentAuthor(api, configured) {
    if (configured !== null)
        return configured;
    const login = await (0,github/* apiStep */.xC)('find out who the token is', { permission: 'pull-requests', level: 'read', missing: "the token's user" }, () => api.tokenLogin());
    return login ?? WORKFLOW_BOT;
}
function commentStore(api, who, io) {
    const { author } = who;
    const prefix = marker(who.environment);
    const ourComments = async (number) => {
        const ours = [];
        for await (const comment of api.comments(number)) {
            if (comment.author === author && comment.body.startsWith(prefix))
                ours.push(comment);
        }
        return ours;
    };
    /** Updates our oldest comment, or creates one; removes duplicates of ours. */
    const upsert = async (number, found, body) => {
        let ours = found;
        if (ours.length === 0) {
            const created = await api.createComment(number, body);
            io.info(`#${number}: created ${created.url}`);
            if (created.author !== author) {
                io.warning(`comments made with github-token are authored by ${created.author}, not ${author}: set comment-author: ${created.author}, ` +
                    'or each run adds another comment');
                return created;
            }
            // Another run may have created one at the same time: the oldest stays, whichever run sees both.
            ours = await ourComments(number);
            if (!ours.some((comment) => comment.id < created.id))
                return created;
        }
        const [keep, ...duplicates] = ours;
        for (const duplicate of duplicates) {
            await api.deleteComment(duplicate.id).catch((error) => {
                if ((0,github/* partsOf */.CI)(error).status !== 404)
                    throw error; // 404: the other run removed it
            });
            io.info(`#${number}: removed the duplicate ${duplicate.url}`);
        }
        if (keep.body === body) {
            io.info(`#${number}: unchanged ${keep.url}`);
            return keep;
        }
        const updated = await api.updateComment(keep.id, body);
        io.info(`#${number}: updated ${updated.url}`);
        return updated;
    };
    return {
        ours: (number) => (0,github/* apiStep */.xC)(`read the comments of #${number}`, (0,github/* pullRequestAccess */.fr)(number, 'read'), () => ourComments(number)),
        write: (number, found, body) => (0,github/* apiStep */.xC)(`comment on #${number}`, (0,github/* pullRequestAccess */.fr)(number, 'write'), () => upsert(number, found, body).catch((error) => {
            // Locked after it was read: GitHub answers 403 saying so.
            if (lockedAnswer(error))
                return null;
            throw error;
        })),
    };
}
/** GitHub's refusal of a comment on a locked conversation. */
function lockedAnswer(error) {
    const { status, message } = (0,github/* partsOf */.CI)(error);
    return status === 403 && /\bis locked\b/i.test(message);
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/log.ts
var log = __webpack_require__(5625);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/path-patterns.ts
var path_patterns = __webpack_require__(2390);
// EXTERNAL MODULE: ./src/records.ts
var records = __webpack_require__(4845);
;// CONCATENATED MODULE: ./src/pr-facts.ts
/**
 * What the pr-report comment on one pull request says (comment.ts CommentFacts): what the
 * environment runs, by this action's deployment records; how that relates to the pull request's
 * base (one comparison per base branch, shared by the pull requests into it) and to the pull
 * request itself; and what its files change, kept in our comment for its head or read from GitHub.
 * Sorting files, the key of the kept facts and the relations are pure; the reads go through
 * apiStep, so a failure is one line.
 */





/**
 * What one file of a pull request means for the comment, by backend-paths and migrations-path
 * (both read as path-patterns.ts reads them): the backend file it changes (a renamed file counts
 * under its old path too), and whether it adds a migration. Pure.
 */
function fileClassifier(backendPaths, migrationsPaths) {
    const isBackend = (0,path_patterns/* pathMatcher */.kZ)(backendPaths);
    const isMigration = (0,path_patterns/* pathMatcher */.kZ)(migrationsPaths);
    return (file) => ({
        backendFile: isBackend(file.path) ? file.path : file.previousPath !== null && isBackend(file.previousPath) ? file.previousPath : null,
        // Renames and copies add the file at its new path, as the deploy's git diff --no-renames sees it.
        addedMigration: ['added', 'renamed', 'copied'].includes(file.status) && isMigration(file.path),
    });
}
/**
 * What the file facts a comment keeps depend on besides the head and base: the path settings that
 * sorted the files. Changing backend-paths or migrations-path makes every comment's facts stale.
 */
function filesKey(settings) {
    return (0,external_node_crypto_.createHash)('sha256')
        .update(JSON.stringify([settings.backendPaths, settings.migrationsPaths]))
        .digest('hex')
        .slice(0, 16);
}
/**
 * The newest of our deployments that succeeded, and a newer one of ours that did not (laterDeploy).
 * repository is for the line that says what was not found.
 */
function readBackend(api, environment, repository) {
    const access = { permission: 'deployments', level: 'read', missing: `the repository ${repository}, or one of its deployments` };
    return (0,github/* apiStep */.xC)(`read the deployments of ${environment}`, access, async () => {
        const skipped = [];
        const record = await (0,records/* deployedRecord */.QS)(api, environment, (deployment, payload, history) => {
            const later = laterDeploy(deployment, payload, history);
            if (later)
                skipped.push(later);
        });
        const later = skipped[0] ?? null;
        if (!record)
            return { deployed: null, later };
        const { deployment, payload, status } = record;
        return { deployed: { sha: deployment.sha, ref: payload.ref, at: status.createdAt, runUrl: payload.run_url || status.logUrl }, later };
    });
}
/**
 * A record of ours newer than what runs, as the comment mentions it: one that failed (even if
 * later made inactive) or has not finished. Null for one superseded or skipped before it ended
 * (in progress, then inactive): no deploy to mention. history: newest first, without a success. Pure.
 */
function laterDeploy(deployment, payload, history) {
    const ended = history.find((status) => status.state !== 'inactive');
    const status = history[0]?.state === 'inactive' ? ended : history[0];
    if (history[0]?.state === 'inactive' && ended?.state !== 'failure' && ended?.state !== 'error')
        return null;
    return {
        sha: deployment.sha,
        state: status?.state ?? '',
        description: status?.description ?? '',
        at: status?.createdAt ?? deployment.createdAt,
        runUrl: payload.run_url || status?.logUrl || '',
    };
}
/**
 * Whether the environment runs this pull request: its head, an earlier commit of its branch (a
 * deploy of the same branch name from the same repository: a fork's branch is not ours), or
 * neither. Pure.
 */
function runsThisPullRequest(deployed, pr, repository) {
    if (deployed.sha === pr.headSha)
        return 'head';
    return pr.headRepository.toLowerCase() === repository.toLowerCase() && deployed.ref === pr.headRef ? 'earlier' : null;
}
/** What the files say, from GitHub's list of them (at most FILES_LIMIT, 100 a page). */
async function readFiles(api, number, classify) {
    const facts = { backendFiles: [], backendFileCount: 0, addedMigrations: [], addedMigrationCount: 0, incomplete: false };
    let listed = 0;
    for await (const file of api.pullRequestFiles(number)) {
        const { backendFile, addedMigration } = classify(file);
        if (backendFile !== null) {
            facts.backendFileCount++;
            addFile(facts.backendFiles, backendFile);
        }
        if (addedMigration) {
            facts.addedMigrationCount++;
            addFile(facts.addedMigrations, file.path);
        }
        // GitHub stops there; so does this, whatever it answers.
        if (++listed >= FILES_LIMIT)
            break;
    }
    facts.incomplete = listed >= FILES_LIMIT;
    return facts;
}
/**
 * The facts of each pull request's comment, for a run that knows what the environment runs
 * (backend). The files come from our comment when it holds them for the pull request's head and
 * base and these path settings, else from GitHub's list; the base comparison is asked once per
 * base branch, and its failure answers every pull request into that branch.
 */
function factCollector(api, settings, context, backend, io) {
    const classify = fileClassifier(settings.backendPaths, settings.migrationsPaths);
    const key = filesKey(settings);
    const comparisons = new Map();
    const compareWithBase = (baseRef, sha) => {
        if (!comparisons.has(baseRef)) {
            const access = { permission: 'contents', level: 'read', missing: `${baseRef} or ${sha}` };
            const comparison = (0,github/* apiStep */.xC)(`compare ${baseRef} with ${sha}`, access, () => api.compare(baseRef, sha).catch((error) => {
                // 404: GitHub knows no such commit or branch, or the two have no common history.
                const { status, message } = (0,github/* partsOf */.CI)(error);
                if (status !== 404 && status !== 422)
                    throw error;
                io.warning(`could not compare ${baseRef} with ${sha}: GitHub answered ${status}: ${message}`);
                return null;
            }));
            comparisons.set(baseRef, comparison);
        }
        return comparisons.get(baseRef);
    };
    return async (pr, comment) => {
        const number = pr.number;
        // The files said the same for this head last time, unless the base or the path settings changed.
        const kept = comment !== null ? keptFiles(comment, { headSha: pr.headSha, baseRef: pr.baseRef, filesKey: key }) : null;
        const files = kept ?? (await (0,github/* apiStep */.xC)(`read the files of #${number}`, (0,github/* pullRequestAccess */.fr)(number, 'read'), () => readFiles(api, number, classify)));
        let deployed = null;
        const runs = backend.deployed;
        if (runs) {
            deployed = {
                sha: runs.sha,
                at: runs.at,
                runUrl: runs.runUrl,
                base: await compareWithBase(pr.baseRef, runs.sha),
                thisPullRequest: runsThisPullRequest(runs, pr, context.repository),
            };
        }
        return {
            environment: settings.environment,
            backendUrl: settings.backendUrl,
            repositoryUrl: `${context.serverUrl}/${context.repository}`,
            pullRequest: { headSha: pr.headSha, baseRef: pr.baseRef },
            deployed,
            later: backend.later,
            files,
            filesKey: key,
        };
    };
}

// EXTERNAL MODULE: ./src/runner.ts
var src_runner = __webpack_require__(4813);
// EXTERNAL MODULE: ./src/runner-io.ts
var runner_io = __webpack_require__(6842);
;// CONCATENATED MODULE: ./src/pr-report.ts
/**
 * The pr-report command: one comment per pull request saying which backend its preview talks to
 * (what the environment runs, by this action's deployment records), how that relates to the pull
 * request's base, and whether the pull request changes the backend or adds migrations.
 *
 * It reads and writes through the GitHub API only: no SSH, no secrets, no checkout of the pull
 * request, so it can run on pull_request_target for forks. This module decides what runs: one
 * pull request or every open one, what to read again, what to skip, what to count and when to
 * fail. What a comment says is pr-facts.ts; finding and writing the comment is comment-store.ts.
 */








async function prReport(settings, api, io, context) {
    const target = settings.pullRequest ?? context.eventPullRequest;
    if (target === null)
        throw new errors/* UserError */.y('pr-number is empty and the event has no pull request: pass a pull request number, or all');
    const author = await commentAuthor(api, settings.commentAuthor);
    const backend = await readBackend(api, settings.environment, context.repository);
    io.setOutput('backend-sha', backend.deployed?.sha ?? '');
    io.info(backend.deployed
        ? `${settings.environment} runs ${backend.deployed.sha} (${backend.deployed.ref}), deployed ${backend.deployed.at}`
        : `nothing was ever deployed to ${settings.environment} by catcolab-deploy`);
    if (backend.later)
        io.info(`a later deploy of ${backend.later.sha} is ${backend.later.state || 'without status'}`);
    const report = pullRequestReporter(api, io, factCollector(api, settings, context, backend, io), commentStore(api, { author, environment: settings.environment }, io));
    if (target !== 'all') {
        const pr = await (0,github/* apiStep */.xC)(`read pull request #${target}`, (0,github/* pullRequestAccess */.fr)(target, 'read'), () => api.pullRequest(target));
        if (pr.state !== 'open') {
            io.info(`#${target} is ${pr.state}: no comment`);
            return;
        }
        const outcome = await report(pr, true);
        io.setOutput('comment-url', 'comment' in outcome ? outcome.comment.url : '');
        return;
    }
    // Every open pull request: one list (its pages), then each one's comments, and its files when
    // its comment does not already hold them for its head.
    let total = 0;
    let locked = 0;
    const failed = [];
    await (0,github/* apiStep */.xC)('list the open pull requests', { permission: 'pull-requests', level: 'read', missing: `the repository ${context.repository}` }, async () => {
        for await (const pr of api.openPullRequests()) {
            total++;
            try {
                const outcome = await report(pr, false);
                if ('skipped' in outcome && outcome.skipped === 'locked')
                    locked++;
            }
            catch (error) {
                failed.push(pr.number);
                io.warning(`#${pr.number}: ${error instanceof Error ? error.message : String(error)}`);
            }
        }
    });
    io.info(`reported on ${total - failed.length - locked} of ${total} open pull requests${locked > 0 ? ` (${locked} locked, skipped)` : ''}`);
    if (failed.length > 0) {
        throw new errors/* UserError */.y(`could not report on ${failed.length} of ${total} open pull requests (${failed.map((n) => `#${n}`).join(', ')}): see the warnings above`);
    }
}
/** Reports on one open pull request at a time: (pr, fresh), fresh when pr was just read on its own, not from the list. */
function pullRequestReporter(api, io, facts, comments) {
    const locked = (number) => {
        io.notice(`#${number} is locked: no comment (GitHub takes no comments on a locked conversation from the workflow's token)`);
        return { skipped: 'locked' };
    };
    return async (listed, fresh) => {
        const number = listed.number;
        // GitHub would refuse the comment: not even asked.
        if (listed.locked)
            return locked(number);
        const ours = await comments.ours(number);
        let pr = listed;
        // Our comment was written for another head than the list shows: the list may be older than
        // the run that wrote it (a push while this run went through the list), so read it again.
        const head = ours[0] ? reportedHead(ours[0].body) : null;
        if (!fresh && head !== null && head !== pr.headSha) {
            pr = await (0,github/* apiStep */.xC)(`read #${number}`, (0,github/* pullRequestAccess */.fr)(number, 'read'), () => api.pullRequest(number));
            if (pr.state !== 'open') {
                io.info(`#${number} is ${pr.state} now: no comment`);
                return { skipped: 'closed' };
            }
            if (pr.locked)
                return locked(number);
        }
        const body = renderComment(await facts(pr, ours[0]?.body ?? null));
        const written = await comments.write(number, ours, body);
        return written ? { comment: written } : locked(number);
    };
}
/** The runner's side: the API client, the job log and outputs; the repository and event from runner. */
async function runPrReport(settings, runner) {
    const repository = (0,src_runner/* requireRepository */.Cc)(runner, 'command pr-report needs it');
    const api = (0,github/* gitHubApi */.aB)({ token: settings.token, repository, baseUrl: runner.apiUrl, warn: log/* jobLog */.W.warning });
    const io = {
        info: log/* jobLog */.W.info,
        warning: log/* jobLog */.W.warning,
        notice: log/* jobLog */.W.notice,
        setOutput: runner_io/* runnerIO */.$.setOutput,
    };
    try {
        await prReport(settings, api, io, { repository, serverUrl: runner.serverUrl, eventPullRequest: runner.eventPullRequest });
    }
    finally {
        // The workflow's token may make 1,000 requests an hour in the whole repository.
        log/* jobLog */.W.info(`GitHub API requests made: ${api.requestCount()}`);
    }
}


/***/ })

};
;