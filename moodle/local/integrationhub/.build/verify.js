// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * Checks amd/build as Moodle's RequireJS will load it.
 *
 * Each amd/build/NAME.min.js must make exactly one call
 * define("component/NAME", [deps...], factory), end with the
 * sourceMappingURL of a map whose only source is ../src/NAME.js (with that
 * file's text), and have a source. The preview module is then run against
 * stand-ins for core/ajax, core/templates, core/notification and the rule
 * form: typing in the template asks local_integrationhub_preview_template
 * once, 400 ms later, and the answer is rendered into the preview region.
 *
 *     node .build/verify.js
 *
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/* eslint-env node */
/* eslint-disable no-console */
// Node's own Promise: there is no core/ajax promise here.
/* eslint-disable promise/no-native, promise/avoid-new */
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const {moduleName} = require('./babel-plugin-module-name.js');

const root = path.resolve(__dirname, '..');
const srcdir = path.join(root, 'amd', 'src');
const builddir = path.join(root, 'amd', 'build');
const component = fs.readFileSync(path.join(root, 'version.php'), 'utf8')
    .match(/\$plugin->component\s*=\s*'([a-z][a-z0-9_]*)'\s*;/)[1];

/**
 * Runs a built file with a define() that records its calls.
 *
 * @param {string} file
 * @param {object} globals Extra globals for the file's context.
 * @return {Array[]} The argument lists of the define() calls.
 */
const load = (file, globals = {}) => {
    const calls = [];
    const define = (...args) => {
        calls.push(args);
    };
    define.amd = {};
    vm.runInNewContext(fs.readFileSync(file, 'utf8'), Object.assign({define}, globals), {filename: file});
    return calls;
};

const built = [];
const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            walk(file);
        } else if (entry.name.endsWith('.min.js')) {
            built.push(file);
        } else {
            assert.ok(entry.name.endsWith('.min.js.map'), `${file}: neither a .min.js nor its map`);
        }
    }
};
walk(builddir);
assert.ok(built.length > 0, 'amd/build has no modules');

for (const file of built) {
    const rel = path.relative(builddir, file).replace(/\.min\.js$/, '.js');
    const src = path.join(srcdir, rel);
    assert.ok(fs.existsSync(src), `${file}: no amd/src/${rel}`);
    const name = moduleName(component, srcdir, src);

    const calls = load(file);
    assert.strictEqual(calls.length, 1, `${file}: ${calls.length} define() calls`);
    const [id, deps, factory] = calls[0];
    assert.strictEqual(id, name, `${file}: define()'s first argument`);
    assert.ok(Array.isArray(deps) && deps.every((d) => typeof d === 'string'), `${file}: dependency list`);
    assert.strictEqual(typeof factory, 'function', `${file}: factory`);

    const text = fs.readFileSync(file, 'utf8');
    const base = path.basename(file);
    assert.ok(text.endsWith(`\n//# sourceMappingURL=${base}.map`), `${file}: sourceMappingURL`);
    const map = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8'));
    assert.strictEqual(map.version, 3);
    assert.strictEqual(map.file, base);
    const up = path.relative(path.dirname(file), src).split(path.sep).join('/');
    assert.deepStrictEqual(map.sources, [up], `${file}.map: sources`);
    assert.deepStrictEqual(map.sourcesContent, [fs.readFileSync(src, 'utf8')], `${file}.map: sourcesContent`);
    console.log(`   ${path.relative(root, file)}: define("${id}", [${deps.join(', ')}]) and its map`);
}

// The preview module against stand-ins.
const element = (id) => {
    const listeners = {};
    return {
        id,
        value: '',
        addEventListener: (type, fn) => {
            (listeners[type] = listeners[type] || []).push(fn);
        },
        fire: (type) => (listeners[type] || []).forEach((fn) => fn({type})),
    };
};
const form = {
    eventname: element('id_eventname'),
    template: element('id_payload_template'),
    endpoint: element('id_endpoint'),
};
const region = {region: true};
const timers = [];
const document = {
    getElementById: (id) => Object.values(form).find((field) => field.id === id) || null,
    querySelector: (selector) => (selector === '[data-region="local_integrationhub-preview"]' ? region : null),
};
const log = [];
const done = [];
const Ajax = {
    call: (requests) => {
        // Made in the module's context: compare their JSON.
        log.push(['ajax', JSON.parse(JSON.stringify(requests))]);
        return [Promise.resolve({payload: '{"id":7}', error: '', url: 'https://example.test/hook'})];
    },
};
const Templates = {
    render: (template, context) => {
        log.push(['render', template, context]);
        return Promise.resolve('<div>rendered</div>');
    },
    replaceNode: (node, html, js) => {
        log.push(['replace', node, html, js]);
        done.forEach((fn) => fn());
    },
};
const Notification = {exception: (e) => log.push(['exception', e])};
const [[, deps, factory]] = load(path.join(builddir, 'preview.min.js'), {
    document,
    setTimeout: (fn, ms) => timers.push({fn, ms}) - 1,
    clearTimeout: (t) => {
        if (t !== null && timers[t]) {
            timers[t].fn = null;
        }
    },
    Object,
    Promise,
});
const modules = {'core/ajax': Ajax, 'core/templates': Templates, 'core/notification': Notification};
const preview = factory(...deps.map((d) => modules[d]));

preview.init();
form.eventname.value = '\\core\\event\\user_created';
form.template.value = '{"id": {{objectid}}}';
form.template.fire('input');
form.endpoint.fire('input');
assert.deepStrictEqual(timers.map((t) => t.ms), [400, 400], 'one 400 ms timer per keystroke');
assert.strictEqual(timers[0].fn, null, 'the second keystroke cancels the first timer');
assert.strictEqual(log.length, 0, 'nothing is asked before the delay');

new Promise((resolve) => {
    done.push(resolve);
    timers[1].fn();
}).then(() => {
    assert.deepStrictEqual(log[0], ['ajax', [{
        methodname: 'local_integrationhub_preview_template',
        args: {eventname: '\\core\\event\\user_created', template: '{"id": {{objectid}}}', endpoint: ''},
    }]]);
    assert.strictEqual(log[1][0], 'render');
    assert.strictEqual(log[1][1], 'local_integrationhub/preview');
    assert.deepStrictEqual(JSON.parse(JSON.stringify(log[1][2])), {
        payload: '{"id":7}', error: '', url: 'https://example.test/hook', hasevent: true, haserror: false,
    });
    assert.deepStrictEqual(log[2], ['replace', region, '<div>rendered</div>', '']);
    assert.strictEqual(log.length, 3);
    console.log('   preview.min.js: init() asks local_integrationhub_preview_template 400 ms after typing, renders the answer');
    return null;
}).catch((e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
});
