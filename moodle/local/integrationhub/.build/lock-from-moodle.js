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
 * Writes package-lock.json as the part of a Moodle release's lock file that
 * the build needs.
 *
 * `npm install` would resolve the build's dependencies to today's newest
 * matching versions, and a newer Babel prints other helpers and other maps
 * than the release's own amd/build files were built with. This keeps, from
 * Moodle's npm-shrinkwrap.json, exactly the packages reachable from
 * package.json's devDependencies (each at the same place in the tree, so
 * Node resolves them as it does in Moodle), and nothing else:
 *
 *     node .build/lock-from-moodle.js /path/to/moodle/npm-shrinkwrap.json
 *     npm install --package-lock-only   # adds what Moodle's lock left out
 *     npm ci                            # (fsevents, optional, macOS only)
 *
 * The devDependencies must be at the versions Moodle's root has; it fails
 * otherwise. Download addresses are dropped (npm takes the configured
 * registry), the integrity hashes are kept.
 *
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/* eslint-env node */
/* eslint-disable no-console */
'use strict';

const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');

if (process.argv.length !== 3) {
    console.error('usage: node .build/lock-from-moodle.js MOODLE/npm-shrinkwrap.json');
    process.exit(2);
}
const moodle = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
if (moodle.lockfileVersion < 2 || !moodle.packages) {
    throw new Error('need a lock file of version 2 or 3 (with "packages")');
}
const tree = moodle.packages;
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/**
 * Where Node finds `name` when required from the package at `from`: its own
 * node_modules, then each enclosing one up to the root.
 *
 * @param {string} from A key of the tree ('' for the root).
 * @param {string} name
 * @return {string|null}
 */
const resolve = (from, name) => {
    let dir = from;
    for (;;) {
        const key = (dir ? `${dir}/` : '') + `node_modules/${name}`;
        if (tree[key]) {
            return key;
        }
        if (!dir) {
            return null;
        }
        const cut = dir.lastIndexOf('node_modules/');
        dir = cut > 0 ? dir.slice(0, cut - 1) : '';
    }
};

for (const [name, version] of Object.entries(pkg.devDependencies)) {
    const found = tree[`node_modules/${name}`];
    if (!found || found.version !== version) {
        throw new Error(`${name}@${version}: Moodle's lock has ${found ? found.version : 'none'}`);
    }
}

const keep = new Set();
const queue = Object.keys(pkg.devDependencies).map((name) => resolve('', name));
while (queue.length) {
    const key = queue.shift();
    if (keep.has(key)) {
        continue;
    }
    keep.add(key);
    const entry = tree[key];
    const wanted = Object.assign({}, entry.optionalDependencies, entry.peerDependencies, entry.dependencies);
    for (const name of Object.keys(wanted)) {
        const dep = resolve(key, name);
        if (dep) {
            queue.push(dep);
        } else if (!(entry.optionalDependencies || {})[name]
                && !((entry.peerDependenciesMeta || {})[name] || {}).optional) {
            throw new Error(`${key} needs ${name}, which Moodle's lock does not have`);
        }
    }
}

const packages = {
    '': {
        name: pkg.name,
        license: pkg.license,
        devDependencies: pkg.devDependencies,
        engines: pkg.engines,
    },
};
for (const key of [...keep].sort()) {
    const entry = Object.assign({}, tree[key]);
    delete entry.resolved;
    packages[key] = entry;
}
const lock = {name: pkg.name, lockfileVersion: 3, requires: true, packages};
fs.writeFileSync(path.join(root, 'package-lock.json'), JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: ${keep.size} packages from ${process.argv[2]}; now npm install --package-lock-only`);
