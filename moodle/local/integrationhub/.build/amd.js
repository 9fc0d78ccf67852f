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
 * Builds amd/build/NAME.min.js and NAME.min.js.map from amd/src/NAME.js.
 *
 * The same pipeline as Moodle 5.0's `grunt amd` (rollup over each file, Babel
 * with preset-env for the browserslist in package.json and the AMD transform,
 * the module name added to define(), then terser without mangling), without
 * needing a Moodle checkout. Run from the plugin directory after `npm ci`:
 *
 *     node .build/amd.js            # writes amd/build
 *     node .build/amd.js --out DIR  # writes DIR instead (same bytes: the
 *                                   # maps still point at ../src/NAME.js)
 *
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/* eslint-env node */
/* eslint-disable no-console */
'use strict';

// The browser data is pinned with the rest of the build (package-lock.json):
// its age is the point, not a reason to warn.
process.env.BROWSERSLIST_IGNORE_OLD_DATA = '1';

const fs = require('fs');
const path = require('path');
const babel = require('@babel/core');
const {rollup} = require('rollup');
const {terser} = require('rollup-plugin-terser');
const moduleNamePlugin = require('./babel-plugin-module-name.js');

const root = path.resolve(__dirname, '..');
const srcdir = path.join(root, 'amd', 'src');
const builddir = path.join(root, 'amd', 'build');

/**
 * The plugin's frankenstyle name, from version.php.
 *
 * @return {string}
 */
const component = () => {
    const version = fs.readFileSync(path.join(root, 'version.php'), 'utf8');
    const match = version.match(/\$plugin->component\s*=\s*'([a-z][a-z0-9_]*)'\s*;/);
    if (!match) {
        throw new Error('no $plugin->component in version.php');
    }
    return match[1];
};

/**
 * Every .js file under dir, sorted, as absolute paths.
 *
 * @param {string} dir
 * @return {string[]}
 */
const sources = (dir) => fs.readdirSync(dir, {withFileTypes: true})
    // By code unit, not locale: the same order everywhere.
    .sort((a, b) => Number(a.name > b.name) - Number(a.name < b.name))
    .flatMap((entry) => {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return sources(file);
        }
        return entry.isFile() && entry.name.endsWith('.js') ? [file] : [];
    });

/**
 * Rollup plugin running Babel on each module, with Moodle's options.
 *
 * @param {string} name The component.
 * @return {object}
 */
const babelPlugin = (name) => ({
    name: 'babel',
    transform(code, id) {
        const result = babel.transformSync(code, {
            filename: id,
            // The browserslist comes from package.json beside .build, as
            // Moodle's comes from its root package.json.
            cwd: root,
            root: root,
            babelrc: false,
            configFile: false,
            sourceMaps: true,
            comments: false,
            compact: false,
            plugins: [
                'transform-es2015-modules-amd-lazy',
                'system-import-transformer',
                [moduleNamePlugin, {component: name, srcdir}],
            ],
            presets: [
                ['@babel/preset-env', {modules: false, useBuiltIns: false}],
            ],
        });
        return {code: result.code, map: result.map};
    },
});

/**
 * Builds one source file.
 *
 * Like grunt-rollup under Moodle's grunt: rollup generates the chunk for its
 * place in amd/build (so the map's sources are ../src/NAME.js), then the code
 * is written with "\n//# sourceMappingURL=NAME.min.js.map" appended and the
 * map beside it.
 *
 * @param {string} file Absolute path under amd/src.
 * @param {string} outdir Where to write; its layout mirrors amd/build.
 * @param {string} name The component.
 * @return {string} The file written.
 */
const build = async(file, outdir, name) => {
    const rel = path.relative(srcdir, file).replace(/\.js$/, '.min.js');
    const bundle = await rollup({
        input: file,
        treeshake: false,
        context: 'window',
        plugins: [babelPlugin(name), terser({mangle: false})],
    });
    let output;
    try {
        ({output} = await bundle.generate({file: path.join(builddir, rel), format: 'esm', sourcemap: true}));
    } finally {
        await bundle.close();
    }
    const out = path.join(outdir, rel);
    fs.mkdirSync(path.dirname(out), {recursive: true});
    for (const chunk of output) {
        fs.writeFileSync(`${out}.map`, String(chunk.map));
        fs.writeFileSync(out, `${chunk.code}\n//# sourceMappingURL=${path.basename(out)}.map`);
    }
    return out;
};

const main = async() => {
    const args = process.argv.slice(2);
    let outdir = builddir;
    if (args.length === 2 && args[0] === '--out') {
        outdir = path.resolve(args[1]);
    } else if (args.length !== 0) {
        console.error('usage: node .build/amd.js [--out DIR]');
        process.exit(2);
    }
    const name = component();
    // One at a time, in a fixed order: the output never depends on timing.
    for (const file of sources(srcdir)) {
        const out = await build(file, outdir, name);
        console.log(`${path.relative(root, file)} -> ${out}`);
    }
};

main().catch((e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
});
