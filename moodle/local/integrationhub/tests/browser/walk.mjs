#!/usr/bin/env node
// Browser walk of the Integration Hub cookbook's four recipes against a running Moodle site.
//
//   npm ci && node walk.mjs --url http://127.0.0.1:8080 --user admin --password '...' --out /tmp/walk \
//       [--chromium /usr/bin/chromium] [--cron 'command that runs the plugin scheduled task once'] \
//       [--php 'su -s /bin/sh www-data -c'] [--moodle-dir /opt/moodle] [--recipes 1,2,3,4]
//
// It clicks through the site as an administrator would (forms filled by their labels, buttons
// clicked by their text; the texts come from the plugin's own lang/en strings), runs its own
// webhook receiver on 127.0.0.1, screenshots every step into --out and exits non-zero on the
// first failed check, naming it. See README.md beside this file.

import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const USAGE = `usage: node walk.mjs --url URL --user USER --password PASSWORD --out DIR
    [--chromium /usr/bin/chromium]   the browser to drive (Debian's chromium by default)
    [--cron 'COMMAND']               runs the plugin's scheduled task once (shell command); without
                                     it the walk clicks "Run now" in Site administration > Server >
                                     Scheduled tasks (the site needs the setting pathtophp)
    [--php 'PREFIX']                 how to run PHP on the site for Recipe 2: "php FILE" is passed to
                                     PREFIX as one argument (e.g. 'su -s /bin/sh www-data -c'), or
                                     put {} in PREFIX where the file goes; empty: plain "php FILE"
    [--moodle-dir /opt/moodle]       where config.php is, for the Recipe 2 snippet
    [--recipes 1,2,3,4]              which recipes to walk (the clean-up always runs)
    [--lang FILE]                    the plugin's English strings (default: ../../lang/en/...)
    [--timeout 20000]                ms a single browser action may take`;

function parseArgs(argv) {
    const o = {
        url: '', user: '', password: '', out: '/tmp/walk', chromium: '/usr/bin/chromium', cron: '',
        php: null, moodleDir: '/opt/moodle', recipes: '1,2,3,4',
        lang: path.join(HERE, '..', '..', 'lang', 'en', 'local_integrationhub.php'), timeout: 20000,
    };
    const names = { '--url': 'url', '--user': 'user', '--password': 'password', '--out': 'out',
        '--chromium': 'chromium', '--cron': 'cron', '--php': 'php', '--moodle-dir': 'moodleDir',
        '--recipes': 'recipes', '--lang': 'lang', '--timeout': 'timeout' };
    for (let i = 0; i < argv.length; i++) {
        let a = argv[i];
        let v;
        if (a === '-h' || a === '--help') {
            console.log(USAGE);
            process.exit(0);
        }
        const eq = a.indexOf('=');
        if (a.startsWith('--') && eq > 0) {
            v = a.slice(eq + 1);
            a = a.slice(0, eq);
        }
        if (!names[a]) {
            console.error(`unknown option ${a}\n${USAGE}`);
            process.exit(2);
        }
        if (v === undefined) {
            if (i + 1 >= argv.length) {
                console.error(`${a} needs a value\n${USAGE}`);
                process.exit(2);
            }
            v = argv[++i];
        }
        o[names[a]] = v;
    }
    if (!o.url || !o.user || !o.password) {
        console.error(USAGE);
        process.exit(2);
    }
    o.url = o.url.replace(/\/+$/, '');
    o.timeout = Number(o.timeout) || 20000;
    o.recipes = new Set(String(o.recipes).split(',').map((s) => s.trim()).filter(Boolean));
    if (o.recipes.has('2') && o.php === null) {
        console.error('Recipe 2 runs PHP on the site: give --php (e.g. --php \'su -s /bin/sh www-data -c\'), '
            + 'or --php \'\' for plain "php", or leave 2 out of --recipes.');
        process.exit(2);
    }
    return o;
}

const opts = parseArgs(process.argv.slice(2));
const SITE = new URL(opts.url);

// ---------------------------------------------------------------------------------------------
// The plugin's strings: every label, button and status the walk looks for comes from here, so a
// reworded string moves the walk with it.
// ---------------------------------------------------------------------------------------------

function loadStrings(file) {
    const src = fs.readFileSync(file, 'utf8');
    const strings = {};
    const re = /\$string\['([^']+)'\]\s*=\s*'((?:[^'\\]|\\.)*)'\s*;/g;
    let m;
    while ((m = re.exec(src))) {
        strings[m[1]] = m[2].replace(/\\(['\\])/g, '$1');
    }
    return strings;
}

const STRINGS = loadStrings(opts.lang);

/** A string of the plugin, with {$a} or {$a->name} filled in like get_string(). */
function S(id, a) {
    if (!(id in STRINGS)) {
        throw new Error(`no string "${id}" in ${opts.lang}`);
    }
    let s = STRINGS[id];
    if (a !== undefined && a !== null) {
        if (typeof a === 'object') {
            s = s.replace(/\{\$a->(\w+)\}/g, (_, k) => String(a[k]));
        } else {
            s = s.replace(/\{\$a\}/g, String(a));
        }
    }
    return s;
}

// Moodle core strings the walk clicks (lang/en of Moodle itself).
const CORE = {
    siteadmin: 'Site administration', server: 'Server', users: 'Users', accounts: 'Accounts',
    addnewuser: 'Add a new user', createuser: 'Create user', continue: 'Continue', delete: 'Delete',
    edit: 'Edit', cancel: 'Cancel', logout: 'Log out', login: 'Log in', usermenu: 'User menu',
    expandall: 'Expand all', scheduledtasks: 'Scheduled tasks', runnow: 'Run now', tasks: 'Tasks',
    showchartdata: 'Show chart data', breadcrumb: 'Breadcrumb', back: 'Back',
};

// ---------------------------------------------------------------------------------------------
// Log, checks, screenshots
// ---------------------------------------------------------------------------------------------

fs.mkdirSync(opts.out, { recursive: true });
for (const f of fs.readdirSync(opts.out)) {
    if (/^\d\d\d-.*\.png$/.test(f) || /\.json$/.test(f) || f === 'walk.log') {
        fs.unlinkSync(path.join(opts.out, f));
    }
}
const logFile = fs.openSync(path.join(opts.out, 'walk.log'), 'w');
const T0 = Date.now();

function log(line) {
    const t = ((Date.now() - T0) / 1000).toFixed(1).padStart(6);
    const text = `${t}s ${line}`;
    console.log(text);
    fs.writeSync(logFile, text + '\n');
}

class CheckFailed extends Error {}

let currentRecipe = 'setup';
const notes = [];   // odd things that are not failures: shown in the summary

function check(ok, what, detail) {
    if (!ok) {
        throw new CheckFailed(`[${currentRecipe}] ${what}${detail !== undefined ? `: ${detail}` : ''}`);
    }
    log(`   ok  ${what}`);
}

function note(text) {
    notes.push(`[${currentRecipe}] ${text}`);
    log(` note  ${text}`);
}

function saveJson(name, value) {
    fs.writeFileSync(path.join(opts.out, name), JSON.stringify(value, null, 2) + '\n');
    log(` file  ${name}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const norm = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------------------------------------
// The receiver: answers scripted per path, records every request.
// ---------------------------------------------------------------------------------------------

class Receiver {
    constructor() {
        this.requests = [];
        this.scripts = [];   // {match(path), statuses: [..], fallback}
        this.server = http.createServer((req, res) => this.handle(req, res));
    }

    start() {
        return new Promise((resolve, reject) => {
            this.server.once('error', reject);
            this.server.listen(0, '127.0.0.1', () => {
                this.url = `http://127.0.0.1:${this.server.address().port}`;
                resolve(this.url);
            });
        });
    }

    stop() {
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    /**
     * Answers requests to a path (exact string, or a RegExp) with the given statuses in turn,
     * then with the fallback status. A later script for the same path replaces an earlier one.
     */
    script(match, statuses, fallback = 200) {
        const key = String(match);
        this.scripts = this.scripts.filter((s) => s.key !== key);
        this.scripts.push({ key, match, statuses: [...statuses], fallback });
    }

    handle(req, res) {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const url = new URL(req.url, 'http://127.0.0.1');
            const script = this.scripts.find((s) => (s.match instanceof RegExp ? s.match.test(url.pathname)
                : s.match === url.pathname));
            let status = 200;
            if (script) {
                status = script.statuses.length ? script.statuses.shift() : script.fallback;
            }
            const entry = {
                n: this.requests.length + 1, time: new Date().toISOString(), method: req.method,
                path: url.pathname, query: url.search, headers: req.headers,
                body: Buffer.concat(chunks).toString('utf8'), status,
            };
            this.requests.push(entry);
            const reason = http.STATUS_CODES[status] || 'Status';
            const body = status >= 200 && status < 300
                ? JSON.stringify({ ok: true, received: entry.n, path: entry.path })
                : `${status} ${reason}`;
            res.writeHead(status, { 'Content-Type': status < 300 ? 'application/json' : 'text/plain' });
            res.end(body);
            entry.answer = body;
        });
    }

    to(pathname) {
        return this.requests.filter((r) => r.path === pathname);
    }
}

// ---------------------------------------------------------------------------------------------
// Shell commands: cron and the Recipe 2 PHP snippet.
// ---------------------------------------------------------------------------------------------

function sh(command, timeoutMs = 180000) {
    return new Promise((resolve) => {
        const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => { stdout += d; });
        child.stderr.on('data', (d) => { stderr += d; });
        const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            resolve({ code, signal, stdout, stderr });
        });
    });
}

const shq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

// ---------------------------------------------------------------------------------------------
// Browser helpers
// ---------------------------------------------------------------------------------------------

let browser;
let context;
let page;
let shotNo = 0;
const shots = {};          // recipe => [file names]
const browserProblems = [];
const blocked = [];

async function shot(name) {
    shotNo++;
    const slug = `${currentRecipe}-${name}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const file = `${String(shotNo).padStart(3, '0')}-${slug}.png`;
    await page.waitForLoadState('load').catch(() => {});
    // From the top: a full-page shot of a scrolled page paints the fixed navbar mid-page.
    await page.evaluate(() => window.scrollTo(0, 0)).catch(() => {});
    await page.screenshot({ path: path.join(opts.out, file), fullPage: true });
    (shots[currentRecipe] ??= []).push(file);
    log(` shot  ${file}  (${page.url().replace(opts.url, '')})`);
    await pageHealth(file);
    return file;
}

/** What must never be on a page: missing strings, debugging output, PHP errors, raw markup. */
async function pageHealth(file) {
    const text = await page.locator('body').innerText().catch(() => '');
    const missing = text.match(/\[\[[A-Za-z0-9_:\/.-]+\]\]/g);
    check(!missing, `${file}: no missing strings shown as [[...]]`, missing && missing.join(' '));
    const debugging = await page.locator('.debuggingmessage, .debuggingmessages, .xdebug-error').allInnerTexts();
    check(debugging.length === 0, `${file}: no debugging messages`, debugging.join(' | ').slice(0, 500));
    const php = text.match(/(^|\n)\s*(Notice|Warning|Deprecated|Fatal error|Parse error)\s*:.{0,200}/);
    check(!php, `${file}: no PHP notices`, php && php[0]);
    const exception = await page.locator('.errorbox, [data-rel="fatalerror"]').allInnerTexts();
    check(exception.length === 0, `${file}: no error box`, exception.join(' | ').slice(0, 500));
    const main = await page.locator('#region-main, [role="main"]').first().innerText().catch(() => '');
    const raw = main.match(/<\/?(div|span|p|a|br|strong|em|code|pre|small|ul|li|table|td)\b[^<>]*>/i);
    if (raw) {
        note(`${file}: raw HTML shown as text: ${raw[0]}`);
    }
}

async function goto(urlpath) {
    await page.goto(opts.url + urlpath);
}

const main = () => page.getByRole('main');

/**
 * Clicks and waits until a new document has loaded. (waitForNavigation would also take a hash change,
 * as Bootstrap tabs make, for the navigation.)
 */
async function clickAndWait(locator) {
    await page.evaluate(() => { window.__walkOldDocument = true; });
    await locator.click();
    await page.waitForFunction(() => !window.__walkOldDocument && document.readyState === 'complete', null,
        { timeout: Math.max(opts.timeout, 60000) });
}

async function notifications() {
    return (await page.locator('#user-notifications .alert, .alert[role="alert"], .alert').allInnerTexts())
        .map((t) => norm(t.replace(/×|Dismiss this notification/g, '')));
}

async function expectNotification(text, what) {
    const all = await notifications();
    check(all.some((n) => n.includes(text)), what || `notice "${text}"`, JSON.stringify(all));
}

async function login() {
    for (let attempt = 1; attempt <= 3; attempt++) {
        await goto('/login/index.php');
        await page.waitForLoadState('load');
        const username = page.getByLabel('Username', { exact: true });
        if (!(await username.waitFor({ timeout: 10000 }).then(() => true, () => false))) {
            log(`login attempt ${attempt}: no login form (${norm(await page.locator('body').innerText().catch(() => '')).slice(0, 200)})`);
            await sleep(3000);
            continue;
        }
        await username.fill(opts.user);
        await page.getByLabel('Password', { exact: true }).fill(opts.password);
        await clickAndWait(page.getByRole('button', { name: CORE.login, exact: true }));
        if (!page.url().includes('/login/index.php')) {
            log(`logged in as ${opts.user} (now at ${page.url().replace(opts.url, '')})`);
            return;
        }
        const why = norm((await page.locator('.alert, .loginerrors').allInnerTexts()).join(' '));
        log(`login attempt ${attempt} did not get past the login page: ${why || '(no message)'}`);
        await sleep(1000);
    }
    throw new CheckFailed(`[${currentRecipe}] log in as ${opts.user}: still on the login page`);
}

async function logout() {
    await page.getByRole('button', { name: CORE.usermenu }).click();
    await clickAndWait(page.getByRole('menuitem', { name: CORE.logout, exact: true })
        .or(page.getByRole('link', { name: CORE.logout, exact: true })).first());
    log('logged out');
}

/** A user tour of Moodle (the Dashboard has one) covers the page: end it as a person would. */
async function dismissTour() {
    const tour = page.locator('[data-flexitour="container"]');
    await tour.first().waitFor({ state: 'visible', timeout: 1500 }).catch(() => {});
    for (let i = 0; i < 10 && await tour.first().isVisible().catch(() => false); i++) {
        const button = tour.getByRole('button', { name: /^(Got it|Skip tour|End tour|Next)$/ }).first();
        if (!(await button.count())) {
            break;
        }
        log(`  user tour "${norm(await tour.first().locator('h5, .modal-title, h3').first().innerText().catch(() => ''))}": `
            + `click "${norm(await button.innerText())}"`);
        await button.click();
        await sleep(300);
    }
}

async function visitDashboard(n) {
    await clickAndWait(page.getByRole('menuitem', { name: 'Dashboard', exact: true }));
    await dismissTour();
    check(new URL(page.url()).pathname.startsWith('/my'), `event ${n}: the Dashboard was viewed`, page.url());
}

/** The primary navigation's Site administration, then a tab, then a link in a category. */
async function siteAdmin(tab, category, link) {
    await dismissTour();
    await clickAndWait(page.getByRole('menuitem', { name: CORE.siteadmin, exact: true }));
    await page.getByRole('tab', { name: tab, exact: true }).click();
    const panel = page.getByRole('tabpanel').filter({ visible: true });
    const row = panel.locator('.row').filter({ has: page.getByRole('heading', { name: category, exact: true }) });
    await clickAndWait(row.getByRole('link', { name: link, exact: true }));
}

/** One of the hub's own tabs (Dashboard, Services, Rules, Queue). */
async function hubTab(id) {
    const tabs = main().locator('.nav-tabs, [role="tablist"]').first();
    const target = tabs.getByRole('link', { name: S(id), exact: true })
        .or(tabs.getByRole('tab', { name: S(id), exact: true })).first();
    if (await target.count() && await target.getAttribute('href')) {
        await clickAndWait(target);
        return;
    }
    // The current tab is not a link. On a page under it (a payload, an edit form) the breadcrumb leads back.
    const crumb = page.getByRole('navigation', { name: CORE.breadcrumb, exact: true })
        .getByRole('link', { name: S(id), exact: true });
    if (await crumb.count()) {
        await clickAndWait(crumb.first());
        return;
    }
    await page.reload();   // already there
}

let hubReached = false;
async function openHub(id) {
    if (!hubReached || !page.url().includes('/local/integrationhub/')) {
        await siteAdmin(CORE.server, S('pluginname'), S(id));
        hubReached = true;
    } else {
        await hubTab(id);
    }
    await noErrorBox(`the ${S(id)} page`);
}

/** Fails at once, naming the page, when Moodle shows an exception instead of the page. */
async function noErrorBox(where) {
    const box = page.locator('.errorbox, [data-rel="fatalerror"]');
    if (await box.count()) {
        const text = norm((await box.allInnerTexts()).join(' | '));
        await shot('error').catch(() => {});
        throw new CheckFailed(`[${currentRecipe}] ${where} opens without an error: Moodle shows "${text}" at ${page.url()}`);
    }
}

/** Breadcrumb tail and the highlighted primary navigation item. */
async function checkAdminContext(tail, where) {
    const crumbs = (await page.getByRole('navigation', { name: CORE.breadcrumb, exact: true }).getByRole('listitem').allInnerTexts())
        .map(norm).filter(Boolean);
    const got = crumbs.slice(-tail.length);
    check(JSON.stringify(got) === JSON.stringify(tail), `${where}: breadcrumb ends "${tail.join(' > ')}"`,
        crumbs.join(' > '));
    const active = page.getByRole('menuitem', { name: CORE.siteadmin, exact: true });
    check(await active.getAttribute('aria-current') === 'true', `${where}: "${CORE.siteadmin}" is the active primary navigation item`,
        norm((await page.locator('[role="menubar"] [aria-current="true"]').allInnerTexts()).join(',')) || 'none active');
}

/** Rows of every table in the main region: header text => cell text, and which section they are in. */
async function readTables(sectionHeading) {
    return page.evaluate((sectionTitle) => {
        const root = document.querySelector('[role="main"]') || document.body;
        const heads = [...root.querySelectorAll('h1,h2,h3,h4,h5,h6,legend')];
        const mark = sectionTitle ? heads.find((h) => h.textContent.trim().startsWith(sectionTitle)) : null;
        const tables = [...root.querySelectorAll('table')];
        return tables.map((t, ti) => {
            const headers = [...t.querySelectorAll('thead th, thead td')].map((th) => th.innerText.replace(/\s+/g, ' ').trim());
            const after = !!(mark && (mark.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING));
            const rows = [...t.querySelectorAll('tbody tr')].map((tr, ri) => {
                const cells = [...tr.children].map((td) => td.innerText.replace(/[ \t]+/g, ' ').trim());
                const byHeader = {};
                headers.forEach((h, i) => { if (h) { byHeader[h] = cells[i] ?? ''; } });
                return { index: ri, cells: byHeader, all: cells };
            });
            return { index: ti, after, caption: t.caption ? t.caption.innerText.trim() : '', headers, rows };
        });
    }, sectionHeading || null);
}

function rowLocator(table, row) {
    return page.getByRole('main').locator('table').nth(table.index).locator('tbody tr').nth(row.index);
}

/** The Queue page as data: tasks (above the DLQ heading) and dead letters (below it). */
async function readQueue() {
    check(new URL(page.url()).pathname.endsWith('/local/integrationhub/queue.php'), 'reading the Queue page', page.url());
    const tables = await readTables(S('dlq'));
    const out = { tasks: [], dead: [] };
    for (const t of tables) {
        for (const r of t.rows) {
            if (!r.cells[S('id')] && r.all.length < 2) {
                continue;
            }
            (t.after ? out.dead : out.tasks).push({ ...r.cells, _table: t, _row: r });
        }
    }
    out.dlqHeading = norm(await main().getByRole('heading', { name: new RegExp('^' + esc(S('dlq'))) }).first()
        .innerText().catch(() => ''));
    return out;
}

const cellIs = (cell, name) => {
    const c = norm(cell);
    return c === name || c.startsWith(name + ' ');
};

/** Values a form shows (what the browser would post for it), by field name. */
async function formValues(form) {
    return form.evaluate((f) => {
        const out = {};
        for (const el of f.elements) {
            if (!el.name || el.type === 'submit' || el.type === 'button') {
                continue;
            }
            if (el.disabled) {
                // Not posted: Moodle's form JS disables what hideIf hides.
                (out['(disabled)'] ??= []).push(el.name);
                continue;
            }
            if (el.type === 'checkbox' || el.type === 'radio') {
                if (el.checked) {
                    out[el.name] = el.value;
                } else if (!(el.name in out)) {
                    out[el.name] = undefined;
                }
                continue;
            }
            if (el.type === 'hidden' && el.name in out) {
                continue;
            }
            out[el.name] = el.value;
        }
        return out;
    });
}

/** Records the form posts the browser sends to a script, parsed as the server would. */
function recordPosts(scriptPath) {
    const posts = [];
    const handler = (req) => {
        if (req.method() !== 'POST' || new URL(req.url()).pathname !== scriptPath) {
            return;
        }
        const type = req.headers()['content-type'] || '';
        const body = req.postData() || '';
        const fields = {};
        if (type.startsWith('application/x-www-form-urlencoded')) {
            for (const [k, v] of new URLSearchParams(body)) {
                const value = k === 'sesskey' ? '(redacted)' : v;
                if (k in fields) {
                    fields[k] = [].concat(fields[k], value);
                } else {
                    fields[k] = value;
                }
            }
        }
        posts.push({ url: req.url(), contentType: type, fields });
    };
    page.on('request', handler);
    return { posts, stop: () => page.off('request', handler) };
}

const lastValue = (v) => (Array.isArray(v) ? v[v.length - 1] : v);

/** A Moodle form autocomplete: type into it and pick the suggestion whose text ends with "(value)". */
async function pickAutocomplete(label, typed, value) {
    // The enhanced text input (the label moves to it once the autocomplete JS has run).
    const input = page.getByRole('combobox', { name: label, exact: true }).and(page.locator('input'));
    await input.waitFor({ state: 'visible' });
    await input.click();
    await input.pressSequentially(typed, { delay: 10 });
    const option = page.getByRole('option').filter({ hasText: new RegExp(esc(`(${value})`) + '\\s*$') });
    await option.first().waitFor({ state: 'visible' });
    check(await option.count() === 1, `${label}: one suggestion for ${value}`, await option.count());
    await option.first().click();
    await page.keyboard.press('Escape');
}

/** The add or edit form of the page: the form with the Save button. */
const editForm = () => main().locator('form').filter({ has: page.getByRole('button', { name: S('save'), exact: true }) }).first();

/** Text fields of the rule and service forms. */
const field = (label) => page.getByLabel(label, { exact: true });

async function typeLines(locator, lines) {
    await locator.click();
    await locator.fill('');
    for (let i = 0; i < lines.length; i++) {
        if (i > 0) {
            await page.keyboard.press('Enter');
        }
        await page.keyboard.type(lines[i]);
    }
}

/** Clicks the confirm button of a Moodle confirmation page or modal, if one comes up. */
async function confirmIfAsked() {
    const button = page.getByRole('button', { name: new RegExp(`^(${CORE.continue}|Yes|${CORE.delete}|OK)$`) });
    const modal = page.locator('.modal.show, [role="dialog"]:visible').first();
    if (await modal.count() && await modal.isVisible().catch(() => false)) {
        await clickAndWait(modal.getByRole('button', { name: new RegExp(`^(${CORE.continue}|Yes|${CORE.delete}|OK)$`) }).first());
        return true;
    }
    if (page.url().includes('confirm') || await page.locator('#modal-footer, .confirmation-buttons, [data-region="confirm"]').count()) {
        await clickAndWait(button.first());
        return true;
    }
    const cont = main().getByRole('button', { name: CORE.continue, exact: true });
    if (await cont.count()) {
        await clickAndWait(cont.first());
        return true;
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// Cron
// ---------------------------------------------------------------------------------------------

let cronRuns = 0;

async function runCron(why) {
    cronRuns++;
    const saved = page.url();
    let output;
    if (opts.cron) {
        const r = await sh(opts.cron);
        output = r.stdout + r.stderr;
        check(r.code === 0, `cron run ${cronRuns} (${why}) exits 0`, `exit ${r.code} ${r.signal || ''}: ${output.slice(-800)}`);
    } else {
        await siteAdmin(CORE.server, CORE.tasks, CORE.scheduledtasks);
        const row = main().locator('tr').filter({ hasText: S('taskrunqueue') });
        check(await row.count() === 1, `Scheduled tasks lists "${S('taskrunqueue')}"`);
        const run = row.getByRole('link', { name: new RegExp(CORE.runnow) }).first();
        check(await run.count() === 1, `"${CORE.runnow}" is offered for the Integration Hub task (needs the site setting pathtophp)`);
        await clickAndWait(run);
        await clickAndWait(main().getByRole('button', { name: CORE.runnow, exact: true })
            .or(main().getByRole('button', { name: CORE.continue, exact: true })).first());
        output = await main().innerText();
        await shot('cron-run-now');
        await page.goto(saved);
    }
    const summary = (output.match(new RegExp(esc(S('runqueueresult').split('{$a->delivered}')[0]) + '.*')) || [''])[0];
    check(summary !== '', `cron run ${cronRuns} (${why}) ran the Integration Hub task`, output.slice(-800));
    log(` cron  ${summary}`);
    const counts = {};
    const template = S('runqueueresult');
    const re = new RegExp('^' + esc(template).replace(/\\\{\\\$a->(\w+)\\\}/g, '(?<$1>[0-9.,]+)'));
    const m = summary.match(re);
    if (m) {
        for (const [k, v] of Object.entries(m.groups)) {
            counts[k] = Number(v.replace(',', '.'));
        }
    }
    return counts;
}

// ---------------------------------------------------------------------------------------------
// Pages of the hub
// ---------------------------------------------------------------------------------------------

async function addService(name, baseUrl, extra = {}, { checkDefaults = false } = {}) {
    await openHub('services');
    await clickAndWait(main().getByRole('link', { name: S('addservice'), exact: true }));
    await checkAdminContext([S('pluginname'), S('services'), S('addservice')], 'Add Service');
    const form = editForm();
    const shown = await formValues(form);
    const touched = new Set(['name', 'base_url', 'method']);
    await field(S('servicename')).fill(name);
    await field(S('baseurl')).fill(baseUrl);
    await field(S('method')).selectOption({ label: 'POST' });
    for (const [label, value] of Object.entries(extra)) {
        const el = field(label);
        touched.add(await el.getAttribute('name'));
        await el.fill(String(value));
    }
    await shot(`add-service-${name}-filled`);
    const rec = recordPosts(new URL(opts.url + '/local/integrationhub/service_edit.php').pathname);
    await clickAndWait(main().getByRole('button', { name: S('save'), exact: true }));
    rec.stop();
    check(rec.posts.length === 1, `Add Service "${name}": the browser posted the form once`, rec.posts.length);
    const post = rec.posts[0];
    saveJson(`post-add-service-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.json`, { shown, post });
    await expectNotification(S('servicesaved', name), `service "${name}" saved`);
    await shot(`service-${name}-saved`);
    if (checkDefaults) {
        // Every field the walk did not touch is posted as the form showed it.
        const differ = [];
        for (const [k, v] of Object.entries(shown)) {
            if (touched.has(k) || k === 'sesskey' || k === '(disabled)' || k.startsWith('mform_isexpanded')) {
                continue;
            }
            const posted = lastValue(post.fields[k]);
            if ((v ?? undefined) !== posted && !(v === undefined && posted === '0')) {
                differ.push(`${k}: shown ${JSON.stringify(v)}, posted ${JSON.stringify(posted)}`);
            }
        }
        check(differ.length === 0, 'untouched fields were posted with the values the form showed', differ.join('; '));
        const unposted = (shown['(disabled)'] || []).filter((k) => !(k in post.fields));
        if (unposted.length) {
            log(`  info  the browser did not post the fields hidden by hideIf (Moodle's form JS disables them; the `
                + `server takes the form's defaults for them): ${unposted.join(', ')}`);
        }
        const numbers = ['timeout', 'connect_timeout', 'max_retries', 'retry_backoff', 'retry_cap', 'cb_failure_threshold',
            'cb_window', 'cb_cooldown', 'cb_min_calls', 'cb_failure_rate', 'cb_halfopen_probes', 'max_attempts',
            'queue_backoff', 'queue_backoff_cap'];
        const empty = numbers.filter((k) => !(shown['(disabled)'] || []).includes(k)).filter((k) => !/^\d+(\.\d+)?$/.test(String(lastValue(post.fields[k]) ?? '')));
        check(empty.length === 0, 'every number field was posted with a number (the shown default)', empty.join(', '));
        check(lastValue(post.fields.cb_failure_threshold) === '5', 'cb_failure_threshold was posted as 5',
            lastValue(post.fields.cb_failure_threshold));
        check(lastValue(post.fields.max_attempts) === '5', 'max_attempts was posted as 5', lastValue(post.fields.max_attempts));
    }
    return { shown, post };
}

/** Documented defaults of the status lists, from their help texts: "(408, 425, ...)" and "(5xx, 429)". */
function documentedList(id) {
    const m = S(id + '_help').match(/default \(([^)]*)\)/);
    return m ? m[1].split(',').map((s) => s.trim()) : null;
}
const listOf = (text) => String(text).split(',').map((s) => s.trim()).filter(Boolean);

async function openServiceEdit(name) {
    await openHub('services');
    const { table, row } = await serviceRow(name);
    check(!!row, `Services lists "${name}"`);
    await clickAndWait(rowLocator(table, row).getByRole('link', { name: CORE.edit, exact: true }));
    await checkAdminContext([S('pluginname'), S('services'), S('editservice')], `Edit service ${name}`);
    const expand = main().getByRole('button', { name: CORE.expandall }).or(main().getByRole('link', { name: CORE.expandall }));
    if (await expand.count() && await expand.first().isVisible()) {
        await expand.first().click();
    }
}

async function serviceRow(name) {
    const tables = await readTables();
    for (const t of tables) {
        for (const r of t.rows) {
            if (cellIs(r.cells[S('servicename')], name)) {
                return { table: t, row: r };
            }
        }
    }
    return {};
}

/** The "Calls (24 h)" cell of a service on the Services page: calls, successes, failures. */
async function serviceCalls(name) {
    const { row } = await serviceRow(name);
    check(!!row, `Services lists "${name}"`);
    const re = new RegExp('^' + esc(S('callcounts')).replace(/\\\{\\\$a->(\w+)\\\}/g, '(?<$1>\\d+)'));
    const m = norm(row.cells[S('calls24h')]).match(re);
    check(!!m, `"${S('calls24h')}" of ${name} reads as "${S('callcounts')}"`, row.cells[S('calls24h')]);
    return { calls: Number(m.groups.calls), successes: Number(m.groups.successes), failures: Number(m.groups.failures) };
}

async function addRule({ eventname, service, endpoint, templateLines, label }) {
    await openHub('rules');
    await clickAndWait(main().getByRole('link', { name: S('addrule'), exact: true }));
    await checkAdminContext([S('pluginname'), S('rules'), S('addrule')], 'Add Rule');
    await pickAutocomplete(S('event'), eventname.split('\\').pop(), eventname);
    await field(S('service')).selectOption({ label: service });
    await field(S('endpoint')).fill(endpoint);
    await typeLines(field(S('payloadtemplate')), templateLines);
    await page.waitForTimeout(800);   // the preview refreshes 400 ms after typing
    await shot(`add-rule-${label}-filled`);
    const rec = recordPosts(new URL(opts.url + '/local/integrationhub/rule_edit.php').pathname);
    await clickAndWait(main().getByRole('button', { name: S('save'), exact: true }));
    rec.stop();
    check(rec.posts.length === 1, `Add Rule ${eventname}: the browser posted the form once`, rec.posts.length);
    const post = rec.posts[0];
    saveJson(`post-add-rule-${label}.json`, { post });
    check(post.fields.eventname === eventname, `the rule form posted eventname ${eventname}`, post.fields.eventname);
    await expectNotification(S('rulesaved'), `rule for ${eventname} saved`);
    const tables = await readTables();
    const found = tables.flatMap((t) => t.rows).find((r) => norm(r.cells[S('event')]) === eventname
        && norm(r.cells[S('service')]) === service);
    check(!!found, `Rules lists ${eventname} -> ${service}`);
    await shot(`rule-${label}-saved`);
    return post;
}

/** Rows of the Queue for a service (and event), as data. */
async function queueRows(service, eventname) {
    const q = await readQueue();
    const pick = (rows) => rows.filter((r) => norm(r[S('service')]) === service
        && (!eventname || norm(r[S('event')]) === eventname));
    return { tasks: pick(q.tasks), dead: pick(q.dead), all: q };
}

async function readPayloadPage() {
    const facts = await page.evaluate(() => {
        const out = {};
        const root = document.querySelector('[role="main"]') || document.body;
        for (const dt of root.querySelectorAll('dt')) {
            const dd = dt.nextElementSibling;
            out[dt.innerText.trim()] = dd ? dd.innerText.trim() : '';
        }
        return out;
    });
    const heading = main().getByRole('heading', { name: S('payload'), exact: true });
    const pre = heading.locator('xpath=following::pre[1]');
    const payload = await pre.innerText();
    return { facts, payload };
}

async function openTaskPayload(row) {
    await clickAndWait(rowLocator(row._table, row._row).getByRole('link', { name: S('viewpayload') }));
    return readPayloadPage();
}

async function backToQueue() {
    if (new URL(page.url()).pathname.endsWith('/queue.php')) {
        // The payload page of a task that is gone sends the browser to the Queue by itself.
        return;
    }
    // The payload page's own way back (it keeps the Queue page's filters).
    await clickAndWait(main().getByRole('link', { name: CORE.back, exact: true })
        .or(main().getByRole('button', { name: CORE.back, exact: true })).first());
    check(new URL(page.url()).pathname.endsWith('/queue.php'), `"${CORE.back}" leads to the Queue page`, page.url());
    await noErrorBox('the Queue page');
}

function parseJson(text, what) {
    try {
        return JSON.parse(text);
    } catch (e) {
        throw new CheckFailed(`[${currentRecipe}] ${what} is JSON: ${e.message}: ${String(text).slice(0, 300)}`);
    }
}

const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// ---------------------------------------------------------------------------------------------
// Clean-up of what an earlier run left: through the UI, as an administrator would.
// ---------------------------------------------------------------------------------------------

const OURS = ['Slack Notifications', 'mi-crm-servicio', 'crm', 'ERP'];
const USER_PREFIX = 'mihwalk';

async function cleanup() {
    currentRecipe = 'cleanup';
    await openHub('rules');
    for (let guard = 0; guard < 40; guard++) {
        const tables = await readTables();
        let target = null;
        for (const t of tables) {
            for (const r of t.rows) {
                if (OURS.includes(norm(r.cells[S('service')]))) {
                    target = { t, r };
                }
            }
        }
        if (!target) {
            break;
        }
        log(`clean-up: delete rule ${norm(target.r.cells[S('event')])} -> ${norm(target.r.cells[S('service')])}`);
        await clickAndWait(rowLocator(target.t, target.r).getByRole('link', { name: CORE.delete, exact: true }));
        await confirmIfAsked();
        await expectNotification(S('ruledeleted'));
    }
    await openHub('queue');
    for (let guard = 0; guard < 200; guard++) {
        const q = await readQueue();
        const row = q.tasks.find((r) => OURS.includes(norm(r[S('service')])))
            || q.dead.find((r) => OURS.includes(norm(r[S('service')])));
        if (!row) {
            break;
        }
        log(`clean-up: delete ${q.tasks.includes(row) ? 'task' : 'dead letter'} ${row[S('id')]} of ${row[S('service')]}`);
        const button = rowLocator(row._table, row._row).getByRole('button', { name: CORE.delete, exact: true });
        if (!(await button.count())) {
            log('clean-up: that row has no Delete button (running?): waiting');
            await sleep(2000);
            await page.reload();
            continue;
        }
        await clickAndWait(button.first());
        await confirmIfAsked();
    }
    await openHub('services');
    for (let guard = 0; guard < 20; guard++) {
        let target = null;
        for (const name of OURS) {
            const found = await serviceRow(name);
            if (found.row) {
                target = { name, ...found };
                break;
            }
        }
        if (!target) {
            break;
        }
        const row = rowLocator(target.table, target.row);
        const reset = row.getByRole('button', { name: S('resetcircuit'), exact: true });
        if (await reset.count()) {
            log(`clean-up: reset the circuit of ${target.name}`);
            await clickAndWait(reset);
            continue;
        }
        log(`clean-up: delete service ${target.name}`);
        await clickAndWait(row.getByRole('link', { name: CORE.delete, exact: true }));
        await confirmIfAsked();
        await expectNotification(S('servicedeleted', target.name));
    }
    await shot('services-clean');
    await deleteWalkUsers();
}

async function deleteWalkUsers() {
    // Site administration > Users > Browse list of users, filtered on the walk's user name prefix.
    await siteAdmin(CORE.users, CORE.accounts, 'Browse list of users');
    for (let guard = 0; guard < 20; guard++) {
        const rows = main().locator('tbody tr').filter({ hasText: USER_PREFIX });
        if (await rows.count() === 0) {
            break;
        }
        const row = rows.first();
        const actions = row.getByRole('button', { name: /Actions|Edit/ }).first();
        if (await actions.count()) {
            await actions.click();
        }
        const del = row.getByRole('menuitem', { name: CORE.delete, exact: true })
            .or(row.getByRole('link', { name: CORE.delete, exact: true })).first();
        if (!(await del.count())) {
            note('clean-up: could not find how to delete an old walk user on Browse list of users');
            break;
        }
        log(`clean-up: delete user ${norm(await row.innerText()).slice(0, 60)}`);
        await del.click();
        const modal = page.locator('.modal.show');
        await modal.waitFor({ timeout: 5000 }).catch(() => {});
        if (await modal.count()) {
            await clickAndWait(modal.getByRole('button', { name: CORE.delete, exact: true }));
        } else {
            await page.waitForLoadState('load');
            await confirmIfAsked();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The recipes
// ---------------------------------------------------------------------------------------------

const receiver = new Receiver();
const RUN = Date.now().toString(36);
let expectedIp = ['127.0.0.1', 'localhost'].includes(SITE.hostname) ? '127.0.0.1' : null;

async function recipe1() {
    // Create Service: Site Administration > Server > Integration Hub > Services > Add Service.
    await siteAdmin(CORE.server, S('pluginname'), S('services'));
    hubReached = true;
    await checkAdminContext([S('pluginname'), S('services')], 'Services');
    await shot('services');
    const { shown } = await addService('Slack Notifications', receiver.url, {}, { checkDefaults: true });
    const slackCalls = await serviceCalls('Slack Notifications');
    if (slackCalls.calls) {
        note(`the new service "Slack Notifications" starts with ${slackCalls.calls} calls in "${S('calls24h')}": `
            + 'those of the service of the same name deleted in the clean-up (the log is kept and counted by name)');
    }

    // The documented defaults of the status lists are what the form showed and what was saved.
    for (const id of ['retry_statuses', 'cb_failure_statuses']) {
        const doc = documentedList(id);
        check(doc && sameJson(listOf(shown[id]), doc), `Add Service showed ${id} = the documented default (${doc})`, shown[id]);
    }
    await openServiceEdit('Slack Notifications');
    for (const id of ['retry_statuses', 'cb_failure_statuses']) {
        const value = await field(S(id)).inputValue();
        check(sameJson(listOf(value), listOf(shown[id])), `Edit form reads back ${id} = ${shown[id]}`, value);
    }
    const edit = await formValues(editForm());
    const drift = Object.keys(shown).filter((k) => !['sesskey', 'name', '(disabled)'].includes(k) && !k.startsWith('mform_')
        && !k.startsWith('_qf_') && k !== 'base_url' && shown[k] !== edit[k]);
    check(drift.length === 0, 'Edit form shows every saved field as the Add form showed it',
        drift.map((k) => `${k}: ${JSON.stringify(shown[k])} -> ${JSON.stringify(edit[k])}`).join('; '));
    await shot('edit-service-slack-readback');
    await clickAndWait(main().getByRole('button', { name: CORE.cancel, exact: true }));

    // Create Rule.
    const post = await addRule({
        eventname: '\\core\\event\\user_loggedin', service: 'Slack Notifications',
        endpoint: '/services/T000/B000/XXXX', label: 'slack',
        templateLines: ['{', '"text": "User {{username}} just logged in from IP {{ip}}!"', '}'],
    });
    check(post.fields.payload_template.includes('\r\n'), 'the browser posted the template with CR LF line breaks (as browsers do)',
        JSON.stringify(post.fields.payload_template));

    // The Edit rule page keeps the admin context too.
    const tables = await readTables();
    const rule = tables.flatMap((t) => t.rows.map((r) => ({ t, r })))
        .find(({ r }) => norm(r.cells[S('event')]) === '\\core\\event\\user_loggedin');
    await clickAndWait(rowLocator(rule.t, rule.r).getByRole('link', { name: CORE.edit, exact: true }));
    await checkAdminContext([S('pluginname'), S('rules'), S('editrule')], 'Edit rule');
    const stored = await field(S('payloadtemplate')).inputValue();
    check(stored === '{\n"text": "User {{username}} just logged in from IP {{ip}}!"\n}',
        'Edit rule shows the template as typed', JSON.stringify(stored));
    await shot('edit-rule-slack');
    await clickAndWait(main().getByRole('button', { name: CORE.cancel, exact: true }));

    // Test: log out and log back in; the Queue tab shows the event.
    await logout();
    await shot('logged-out');
    await login();
    hubReached = false;
    await openHub('queue');
    const { tasks } = await queueRows('Slack Notifications', '\\core\\event\\user_loggedin');
    check(tasks.length === 1, 'Queue lists one task of Slack Notifications for \\core\\event\\user_loggedin', tasks.length);
    check(norm(tasks[0][S('status')]) === S('status_pending'), `its status is "${S('status_pending')}"`, tasks[0][S('status')]);
    await shot('queue-slack-pending');
    const { payload, facts } = await openTaskPayload(tasks[0]);
    await shot('payload-slack');
    check(norm(facts[S('request')]) === 'POST /services/T000/B000/XXXX', 'payload page: POST /services/T000/B000/XXXX',
        facts[S('request')]);

    const before = receiver.requests.length;
    const counts = await runCron('Recipe 1');
    check(counts.delivered >= 1, 'the task reports at least one delivery', JSON.stringify(counts));
    const got = receiver.requests.slice(before).filter((r) => r.path === '/services/T000/B000/XXXX');
    check(got.length === 1, 'the receiver got one POST /services/T000/B000/XXXX', got.length);
    check(got[0].method === 'POST', 'it is a POST', got[0].method);
    const ip = expectedIp || (got[0].body.match(/from IP ([^!]*)!/) || [])[1];
    const expected = `{\n"text": "User ${opts.user} just logged in from IP ${ip}!"\n}`;
    check(got[0].body === expected, 'the receiver got exactly the typed JSON with the admin\'s user name and IP, LF line breaks',
        JSON.stringify(got[0].body));
    check(!got[0].body.includes('\r'), 'no CR in the delivered body');
    check(/^application\/json/.test(got[0].headers['content-type'] || ''), 'Content-Type: application/json',
        got[0].headers['content-type']);
    check(JSON.stringify(parseJson(payload, 'the payload page')) === JSON.stringify(JSON.parse(got[0].body)),
        'the payload page showed the JSON that was delivered');
    if (payload !== got[0].body) {
        note(`payload page (Code icon) shows the payload re-formatted (pretty-printed), not the bytes sent: `
            + `shown ${JSON.stringify(payload)}, sent ${JSON.stringify(got[0].body)}`);
    }
    await backToQueue();
    const after = await queueRows('Slack Notifications', '\\core\\event\\user_loggedin');
    check(after.tasks.length === 0 && after.dead.length === 0, 'the delivered task left the Queue');
    await shot('queue-slack-delivered');
    await openHub('services');
    const calls = await serviceCalls('Slack Notifications');
    check(calls.calls - slackCalls.calls === 1 && calls.successes - slackCalls.successes === 1,
        'Services: Slack Notifications counts one more call, ok', `before ${JSON.stringify(slackCalls)}, now ${JSON.stringify(calls)}`);
    await shot('services-slack-called');
}

async function recipe2() {
    await addService('mi-crm-servicio', receiver.url);
    const crmCalls = await serviceCalls('mi-crm-servicio');
    await openHub('dashboard');
    const before = await dashboardCalls('mi-crm-servicio');
    await shot('dashboard-before');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mih-walk-'));
    fs.chmodSync(dir, 0o755);
    const file = path.join(dir, 'recipe2.php');
    const user = { username: `${USER_PREFIX}crm${RUN}`, firstname: 'Ana', lastname: 'García', email: `ana.${RUN}@example.com`, id: 42 };
    fs.writeFileSync(file, `<?php
// Recipe 2 of the cookbook, as a local plugin would run it (written by walk.mjs).
define('CLI_SCRIPT', true);
require(${phpString(path.join(opts.moodleDir, 'config.php'))});

use local_integrationhub\\mih;

$userData = json_decode(${phpString(JSON.stringify(user))}, true);
$out = [];

// Usage: mih::request(service_name, path, payload, method)
$response = mih::request(
    'mi-crm-servicio',
    '/api/v1/clientes',
    $userData,
    'POST'
);
if ($response->is_ok()) {
    mtrace("Sync successful: " . $response->body);
}
$out['request'] = ['ok' => $response->is_ok(), 'status' => $response->httpstatus, 'body' => $response->body,
    'error' => $response->error, 'attempts' => $response->attempts];

// Or Fluent Style:
$response = mih::send('mi-crm-servicio')->to('/api/v1/clientes')->with($userData)->dispatch();
if ($response->is_ok()) {
    mtrace("Sync successful: " . $response->body);
}
$out['fluent'] = ['ok' => $response->is_ok(), 'status' => $response->httpstatus, 'body' => $response->body,
    'error' => $response->error, 'attempts' => $response->attempts];

echo 'WALKRESULT ', json_encode($out), "\\n";
`);
    fs.chmodSync(file, 0o644);
    const command = opts.php === '' ? `php ${shq(file)}`
        : opts.php.includes('{}') ? opts.php.replace(/\{\}/g, shq(file)) : `${opts.php} ${shq(`php ${file}`)}`;
    log(`  php  ${command}`);
    const start = receiver.requests.length;
    const r = await sh(command, 60000);
    fs.rmSync(dir, { recursive: true, force: true });
    const output = r.stdout + r.stderr;
    fs.writeFileSync(path.join(opts.out, 'recipe2-php-output.txt'), output);
    check(r.code === 0, 'the PHP snippet exits 0', `exit ${r.code}: ${output.slice(-1500)}`);
    const m = output.match(/WALKRESULT (.*)/);
    check(!!m, 'the PHP snippet printed its result', output.slice(-1500));
    const result = JSON.parse(m[1]);
    const got = receiver.requests.slice(start);
    check(got.length === 2, 'the receiver got two requests (request and fluent)', got.length);
    for (const [i, kind] of [[0, 'request'], [1, 'fluent']]) {
        const req = got[i];
        check(req.method === 'POST' && req.path === '/api/v1/clientes', `${kind}: POST /api/v1/clientes`, `${req.method} ${req.path}`);
        check(sameJson(JSON.parse(req.body), user), `${kind}: the body is $userData as JSON`, req.body);
        check(/^application\/json/.test(req.headers['content-type'] || ''), `${kind}: Content-Type application/json`,
            req.headers['content-type']);
        check(result[kind].ok === true, `${kind}: is_ok()`, JSON.stringify(result[kind]));
        check(result[kind].status === 200, `${kind}: HTTP 200`, result[kind].status);
        check(result[kind].body === req.answer, `${kind}: $response->body is the receiver's answer`, result[kind].body);
        check(output.includes(`Sync successful: ${req.answer}`), `${kind}: mtrace printed "Sync successful: <body>"`);
    }
    await openHub('dashboard');
    const after = await dashboardCalls('mi-crm-servicio');
    check(after && after.successes - (before?.successes ?? 0) === 2 && after.failures === (before?.failures ?? 0),
        'Dashboard: mi-crm-servicio has two more successful calls', `before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
    await shot('dashboard-after');
    await openHub('services');
    const calls = await serviceCalls('mi-crm-servicio');
    check(calls.calls - crmCalls.calls === 2 && calls.successes - crmCalls.successes === 2,
        'Services: mi-crm-servicio counts two more calls, both ok', `before ${JSON.stringify(crmCalls)}, now ${JSON.stringify(calls)}`);
    await shot('services-crm-called');
}

function phpString(s) {
    return `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The Dashboard's "Calls in the last 24 hours" chart, read from its data table ("Show chart data"). */
async function dashboardCalls(service) {
    const toggles = main().getByRole('button', { name: CORE.showchartdata });
    for (let i = 0; i < await toggles.count(); i++) {
        if (await toggles.nth(i).isVisible()) {
            await toggles.nth(i).click();
        }
    }
    const data = await page.evaluate((caption) => {
        const table = [...document.querySelectorAll('table')].find((t) => t.caption && t.caption.innerText.trim() === caption);
        if (!table) {
            return null;
        }
        const rows = [...table.rows].map((tr) => [...tr.cells].map((c) => c.innerText.trim()));
        return { header: rows[0], rows: rows.slice(1) };
    }, S('chartcalls'));
    if (!data) {
        return null;
    }
    const row = data.rows.find((r) => r[0] === service);
    if (!row) {
        return { successes: 0, failures: 0 };
    }
    return { successes: Number(row[data.header.indexOf(S('successes'))]), failures: Number(row[data.header.indexOf(S('failures'))]) };
}

async function createUser(username) {
    await siteAdmin(CORE.users, CORE.accounts, CORE.addnewuser);
    await field('Username').fill(username);
    const edit = main().getByText('Click to enter text');
    if (await edit.count()) {
        await edit.first().click();
    }
    await field('New password').fill('Walk#' + RUN + 'x9');
    await field('First name').fill('Walk');
    await field('Last name').fill(username);
    await field('Email address').fill(`${username}@example.com`);
    await shot(`add-user-${username}`);
    await clickAndWait(main().getByRole('button', { name: CORE.createuser, exact: true }));
    const errors = (await page.locator('.invalid-feedback:visible, .error:visible').allInnerTexts()).map(norm).filter(Boolean);
    check(errors.length === 0 && !page.url().includes('editadvanced.php'), `user ${username} created`, errors.join('; ') || page.url());
}

/** Runs cron until the task's failure count moves (a retry is due at most 2 s after a failure). */
async function cronUntilAttempt(service, eventname, taskId, wantFailures, label) {
    for (let tries = 1; tries <= 4; tries++) {
        await runCron(`${label}, attempt ${wantFailures}`);
        await openHub('queue');
        const { tasks, dead } = await queueRows(service, eventname);
        const task = tasks.find((t) => norm(t[S('id')]) === String(taskId));
        if (!task || Number(norm(task[S('failures')])) >= wantFailures) {
            return { task, dead };
        }
        log(`  task ${taskId} was not due yet (failures ${norm(task[S('failures')])}): wait and run cron again`);
        await sleep(1000);
    }
    throw new CheckFailed(`[${currentRecipe}] task ${taskId} reached ${wantFailures} failures within 4 cron runs`);
}

async function recipe3() {
    const EV = '\\core\\event\\user_created';
    await addService('crm', receiver.url, { [S('queue_backoff')]: 1, [S('queue_backoff_cap')]: 1 });
    await addRule({
        eventname: EV, service: 'crm', endpoint: '/users/{{objectid}}', label: 'crm',
        templateLines: ['{', '  "id": {{objectid}},', '  "by": "{{username}}",', '  "ip": "{{ip}}",',
            '  "event": "{{eventname}}",', '  "time": {{timecreated}}', '}'],
    });

    // A real user_created event: Site administration > Users > Add a new user.
    const user1 = `${USER_PREFIX}${RUN}a`;
    const t0 = Math.floor(Date.now() / 1000) - 2;
    await createUser(user1);
    await openHub('queue');
    let { tasks } = await queueRows('crm', EV);
    check(tasks.length === 1, `Queue lists one task of crm for ${EV}`, tasks.length);
    check(norm(tasks[0][S('status')]) === S('status_pending'), `Status: ${S('status_pending')}`, tasks[0][S('status')]);
    const taskId = norm(tasks[0][S('id')]);
    await shot('queue-crm-pending');
    const first = await openTaskPayload(tasks[0]);
    const endpoint = norm(first.facts[S('request')]).replace(/^POST /, '');
    check(/^\/users\/\d+$/.test(endpoint), 'the task goes to POST /users/<new user id>', first.facts[S('request')]);
    const userId = Number(endpoint.split('/').pop());
    const shownJson = parseJson(first.payload, 'the payload page');
    check(shownJson.id === userId && shownJson.by === opts.user && shownJson.event === EV
        && (!expectedIp || shownJson.ip === expectedIp) && shownJson.time >= t0,
        'the payload page shows the JSON generated from the event', first.payload);
    await shot('payload-crm-pending');
    receiver.script(endpoint, [503, 503, 503, 503, 503], 200);
    await backToQueue();

    const bodies = [];
    for (let n = 1; n <= 4; n++) {
        const { task } = await cronUntilAttempt('crm', EV, taskId, n, 'Recipe 3');
        check(!!task, `after failure ${n} task ${taskId} is still queued`);
        check(norm(task[S('status')]).toLowerCase() === 'failed (retry)', `Status: Failed (Retry) after failure ${n}`,
            task[S('status')]);
        if (norm(task[S('status')]) !== 'Failed (Retry)' && n === 1) {
            note(`Queue shows "${norm(task[S('status')])}", the cookbook says "Failed (Retry)"`);
        }
        check(Number(norm(task[S('failures')])) === n, `Failures: ${n}`, task[S('failures')]);
        check(/503/.test(task[S('lasterror')] || ''), 'Last error names the 503', task[S('lasterror')]);
        await shot(`queue-crm-failed-${n}`);
        if (n === 1) {
            const view = await openTaskPayload(task);
            const sent = receiver.to(endpoint);
            check(sameJson(parseJson(view.payload, 'the payload page'), JSON.parse(sent[0].body)),
                'Code icon (</>): the payload page shows exactly the JSON that was sent', `${view.payload} vs ${sent[0].body}`);
            check(/503/.test(view.facts[S('error')] || ''), 'the payload page shows the last error', view.facts[S('error')]);
            await shot('payload-crm-failed-1');
            await backToQueue();
        }
        await sleep(1200);
    }
    const fifth = await cronUntilAttempt('crm', EV, taskId, 5, 'Recipe 3');
    check(!fifth.task, `after the 5th failure task ${taskId} left the task list`);
    const sent = receiver.to(endpoint);
    check(sent.length === 5 && sent.every((r) => r.status === 503), 'the receiver answered 503 five times', sent.map((r) => r.status).join(','));
    check(sent.every((r) => r.body === sent[0].body), 'every attempt sent the same bytes');
    const keys = new Set(sent.map((r) => r.headers['idempotency-key']));
    check(keys.size === 1 && !keys.has(undefined), 'every attempt carried the same Idempotency-Key', [...keys].join(','));
    const dead503 = fifth.dead.find((d) => /503/.test(d[S('error')]));
    check(!!dead503, 'the task is in the DLQ section at the bottom');
    check(/^HTTP 503 Service Unavailable/.test(norm(dead503[S('error')])), 'DLQ error: "HTTP 503 Service Unavailable ..."',
        dead503[S('error')]);
    check(Number(norm(dead503[S('failures')])) === 5, 'DLQ: Failures 5', dead503[S('failures')]);
    const deadId503 = norm(dead503[S('id')]);
    await shot('queue-crm-dlq-503');

    // The circuit also opened after 5 failures: reset it on the Services page.
    await openHub('services');
    let { row, table } = await serviceRow('crm');
    check(norm(row.cells[S('circuit')]).startsWith(S('circuit_open')), 'Services: the circuit of crm is Open after 5 failures',
        row.cells[S('circuit')]);
    await shot('services-crm-open');
    await clickAndWait(rowLocator(table, row).getByRole('button', { name: S('resetcircuit'), exact: true }));
    await expectNotification(S('circuitreset', 'crm'));
    ({ row } = await serviceRow('crm'));
    check(norm(row.cells[S('circuit')]) === S('circuit_closed'), 'Services: the circuit of crm is Closed after the reset',
        row.cells[S('circuit')]);
    await shot('services-crm-reset');

    // A 404 goes to the DLQ at once.
    const user2 = `${USER_PREFIX}${RUN}b`;
    await createUser(user2);
    await openHub('queue');
    ({ tasks } = await queueRows('crm', EV));
    check(tasks.length === 1 && norm(tasks[0][S('status')]) === S('status_pending'), 'the second user\'s task is Pending',
        JSON.stringify(tasks.map((t) => t[S('status')])));
    const second = await openTaskPayload(tasks[0]);
    const endpoint2 = norm(second.facts[S('request')]).replace(/^POST /, '');
    check(endpoint2 !== endpoint && /^\/users\/\d+$/.test(endpoint2), 'the second task goes to the second user', endpoint2);
    receiver.script(endpoint2, [], 404);
    await backToQueue();
    await runCron('Recipe 3, the 404 case');
    await openHub('queue');
    let q = await queueRows('crm', EV);
    check(q.tasks.length === 0, 'the 404 task left the task list after one attempt');
    const dead404 = q.dead.find((d) => /404/.test(d[S('error')]));
    check(!!dead404 && /^HTTP 404 Not Found/.test(norm(dead404[S('error')])), 'DLQ error: "HTTP 404 Not Found"',
        JSON.stringify(q.dead.map((d) => d[S('error')])));
    check(Number(norm(dead404[S('failures')])) === 1, 'DLQ: the 404 task failed once', dead404[S('failures')]);
    const deadId404 = norm(dead404[S('id')]);
    await shot('queue-crm-dlq-404');

    // The dead letter's own page (Code icon in the DLQ section): the bytes sent, the real error, the heading.
    const deadView = await openTaskPayload(dead404);
    check(await main().getByRole('heading', { name: S('deadpayload', deadId404), exact: true }).count() === 1,
        `the DLQ payload page is headed "${S('deadpayload', deadId404)}"`);
    check(/^HTTP 404 Not Found/.test(norm(deadView.facts[S('error')] || '')), 'the DLQ payload page shows "HTTP 404 Not Found"',
        deadView.facts[S('error')]);
    const sent404 = receiver.to(endpoint2);
    check(sent404.length === 1 && sameJson(parseJson(deadView.payload, 'the DLQ payload page'), JSON.parse(sent404[0].body)),
        'the DLQ payload page shows the JSON that was sent', `${deadView.payload} vs ${sent404.map((r) => r.body).join(' | ')}`);
    await shot('payload-crm-dead-404');
    await backToQueue();
    q = await queueRows('crm', EV);

    // Replay one (the 503 one, the receiver now answers 200) ...
    const replayRow = q.dead.find((d) => norm(d[S('id')]) === deadId503);
    check(!!replayRow, `dead letter ${deadId503} (503) is still in the DLQ`);
    await clickAndWait(rowLocator(replayRow._table, replayRow._row).getByRole('button', { name: S('replay'), exact: true }));
    const replayNotice = (await notifications()).find((n) => n.includes(`${deadId503}`)) || '';
    check(new RegExp(esc(S('replayed', { id: deadId503, taskid: 'XX' })).replace('XX', '\\d+')).test(replayNotice),
        `"${S('replayed', { id: deadId503, taskid: 'N' })}"`, JSON.stringify(await notifications()));
    await shot('queue-crm-replayed');
    await runCron('Recipe 3, the replay');
    const delivered = receiver.to(endpoint);
    check(delivered.length === 6 && delivered[5].status === 200, 'the replay was delivered (200) after the next cron',
        delivered.map((r) => r.status).join(','));
    check(delivered[5].body === delivered[0].body, 'the replay sent the same bytes');
    await openHub('queue');
    let after = await queueRows('crm', EV);
    check(after.tasks.length === 0, 'the replayed task left the queue once delivered');
    check(!after.dead.some((d) => norm(d[S('id')]) === deadId503), `dead letter ${deadId503} is gone from the DLQ`);
    // ... and Delete the other.
    const del = after.dead.find((d) => norm(d[S('id')]) === deadId404);
    check(!!del, `dead letter ${deadId404} (404) is still in the DLQ`);
    await clickAndWait(rowLocator(del._table, del._row).getByRole('button', { name: CORE.delete, exact: true }));
    await confirmIfAsked();
    await expectNotification(S('deaddeleted', deadId404));
    after = await queueRows('crm', EV);
    check(after.dead.length === 0 && after.tasks.length === 0, 'nothing of crm is left in the Queue');
    await shot('queue-crm-empty');
}

async function recipe4() {
    const EV = '\\core\\event\\dashboard_viewed';
    await addService('ERP', receiver.url);
    // Services > edit the ERP service > Resilience Settings.
    await openServiceEdit('ERP');
    const resilience = page.locator('fieldset').filter({ has: page.getByRole('heading', { name: S('resilience') }) })
        .or(page.locator('fieldset').filter({ hasText: S('resilience') })).first();
    check(await resilience.count() === 1, `the Edit form has "${S('resilience')}"`);
    await resilience.getByLabel(S('cb_failure_threshold'), { exact: true }).fill('5');
    await resilience.getByLabel(S('cb_window'), { exact: true }).fill('60');
    await resilience.getByLabel(S('cb_cooldown'), { exact: true }).fill('300');
    await shot('edit-service-erp-resilience');
    await clickAndWait(main().getByRole('button', { name: S('save'), exact: true }));
    await expectNotification(S('servicesaved', 'ERP'));
    await openServiceEdit('ERP');
    const values = {};
    for (const id of ['cb_failure_threshold', 'cb_window', 'cb_cooldown']) {
        values[id] = await field(S(id)).inputValue();
    }
    check(sameJson(values, { cb_failure_threshold: '5', cb_window: '60', cb_cooldown: '300' }),
        'Edit form reads back Threshold 5, Window 60, Cooldown 300', JSON.stringify(values));
    await clickAndWait(main().getByRole('button', { name: CORE.cancel, exact: true }));

    await addRule({
        eventname: EV, service: 'ERP', endpoint: '/erp/events', label: 'erp',
        templateLines: ['{"event": "{{eventname}}", "user": "{{username}}", "time": {{timecreated}}}'],
    });
    receiver.script('/erp/events', [], 500);

    // Five times: one event (the dashboard), then cron. The circuit opens after 5 failures.
    let failures = 0;
    for (let n = 1; n <= 5; n++) {
        await visitDashboard(n);
        await runCron(`Recipe 4, event ${n}`);
        failures = receiver.to('/erp/events').length;
        await openHub('services');
        const { row } = await serviceRow('ERP');
        const state = norm(row.cells[S('circuit')]);
        log(`  after event ${n}: ${failures} failed calls (500), circuit "${state}"`);
        if (failures < 5) {
            check(state === S('circuit_closed'), `circuit of ERP still Closed after ${failures} failures`, state);
        } else {
            check(state.startsWith(S('circuit_open')), `circuit of ERP OPEN after ${failures} failures`, state);
            if (n < 5) {
                note(`the circuit opened after the ${n}th event: earlier tasks were retried meanwhile (queue backoff jitter)`);
            }
            break;
        }
        await shot(`services-erp-after-${n}`);
    }
    check(failures === 5, 'exactly 5 failed calls reached the ERP before the circuit opened', failures);
    check(receiver.to('/erp/events').every((r) => r.status === 500), 'the ERP answered 500 each time');
    const { row } = await serviceRow('ERP');
    const retry = norm(row.cells[S('circuit')]).match(new RegExp(esc(S('retryafter', 'XX')).replace('XX', '(\\d+)')));
    check(!!retry && Number(retry[1]) > 200 && Number(retry[1]) <= 300,
        `Services: ERP Open with its retry time ("${S('retryafter', 'N')}", N <= 300 s cooldown)`, row.cells[S('circuit')]);
    await shot('services-erp-open');

    // Subsequent events are parked: nothing is sent while the circuit is open.
    await visitDashboard(6);
    await openHub('queue');
    let q = await queueRows('ERP', EV);
    const pending = q.tasks.filter((t) => norm(t[S('status')]) === S('status_pending'));
    check(pending.length >= 1, 'the new event is queued as Pending', JSON.stringify(q.tasks.map((t) => t[S('status')])));
    const newest = pending.map((t) => Number(norm(t[S('id')]))).sort((a, b) => b - a)[0];
    const counts = await runCron('Recipe 4, after the circuit opened');
    check(counts.parked >= 1, 'the queue run parked at least one task', JSON.stringify(counts));
    check(receiver.to('/erp/events').length === 5, 'no request reached the ERP while its circuit is open',
        receiver.to('/erp/events').length);
    await openHub('queue');
    q = await queueRows('ERP', EV);
    const parked = q.tasks.find((t) => Number(norm(t[S('id')])) === newest);
    check(!!parked && norm(parked[S('status')]).startsWith('Parked'), `Queue: task ${newest} is "Parked"`,
        parked && parked[S('status')]);
    check(/circuit open/i.test(parked[S('lasterror')] || ''), 'its last error says the circuit is open', parked[S('lasterror')]);
    await shot('queue-erp-parked');
    await openHub('services');
    await shot('services-erp-still-open');
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

const results = {};

async function mainWalk() {
    await receiver.start();
    log(`receiver listening on ${receiver.url}`);
    browser = await chromium.launch({ executablePath: opts.chromium, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    // Only the site under test and loopback addresses: nothing leaves the machine.
    await context.route('**/*', (route) => {
        const u = new URL(route.request().url());
        if (u.origin === SITE.origin || ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) || u.protocol === 'data:') {
            return route.continue();
        }
        blocked.push(u.href);
        return route.abort();
    });
    context.setDefaultTimeout(opts.timeout);
    context.setDefaultNavigationTimeout(Math.max(opts.timeout, 60000));
    page = await context.newPage();
    page.on('pageerror', (e) => browserProblems.push(`pageerror on ${page.url()}: ${e.message}`));
    page.on('console', (m) => {
        if (m.type() === 'error') {
            browserProblems.push(`console error on ${page.url()}: ${m.text()}`);
        }
    });

    currentRecipe = 'setup';
    await login();
    await cleanup();
    const recipes = { 1: recipe1, 2: recipe2, 3: recipe3, 4: recipe4 };
    for (const n of ['1', '2', '3', '4']) {
        if (!opts.recipes.has(n)) {
            results[n] = { status: 'not run' };
            continue;
        }
        currentRecipe = `recipe${n}`;
        log(`==== Recipe ${n}`);
        const start = Date.now();
        await recipes[n]();
        results[n] = { status: 'PASS', seconds: Math.round((Date.now() - start) / 1000), screenshots: shots[currentRecipe] };
        log(`==== Recipe ${n}: PASS`);
    }
}

let exitCode = 0;
try {
    await mainWalk();
} catch (e) {
    exitCode = 1;
    const failed = currentRecipe.replace('recipe', '');
    results[failed] = { status: 'FAIL', error: e.message, screenshots: shots[currentRecipe] };
    log(`FAILED: ${e instanceof CheckFailed ? e.message : e.stack}`);
    if (page) {
        await shot('FAILED').catch(() => {});
    }
} finally {
    saveJson('receiver.json', receiver.requests);
    saveJson('summary.json', { url: opts.url, run: RUN, results, notes, browserProblems, blocked, cronRuns });
    log('---- summary');
    for (const [n, r] of Object.entries(results)) {
        log(`Recipe ${n}: ${r.status}${r.error ? ` — ${r.error}` : ''}`);
    }
    for (const n of notes) {
        log(`note: ${n}`);
    }
    for (const p of browserProblems) {
        log(`browser: ${p}`);
    }
    for (const b of blocked) {
        log(`blocked request (not loopback): ${b}`);
    }
    await browser?.close().catch(() => {});
    await receiver.stop().catch(() => {});
    fs.closeSync(logFile);
}
process.exit(exitCode);
