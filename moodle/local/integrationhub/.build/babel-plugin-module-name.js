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
 * Babel plugin: names the AMD module, as Moodle's grunt build does.
 *
 * Moodle loads amd/build/NAME.min.js through RequireJS and expects the file to
 * define a named module, "component/NAME". This plugin runs after the AMD
 * transform and
 *  - puts that name as the first argument of the first define() call;
 *  - for an ES module with "export default X", makes the AMD factory return
 *    X itself instead of {default: X} (Moodle's convention; other named
 *    exports of such a module are then not reachable).
 *
 * The component comes from the builder (read from version.php), the rest of
 * the name from the file's path under amd/src without ".js".
 *
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/* eslint-env node */
'use strict';

const path = require('path');

/**
 * The module name of a file under amd/src.
 *
 * @param {string} component The plugin's frankenstyle name.
 * @param {string} srcdir The absolute amd/src directory.
 * @param {string} filename The absolute file name.
 * @return {string}
 */
const moduleName = (component, srcdir, filename) => {
    const rel = path.relative(srcdir, filename).split(path.sep).join('/');
    if (rel.startsWith('../') || !rel.endsWith('.js')) {
        throw new Error(`${filename} is not under ${srcdir}`);
    }
    return `${component}/${rel.slice(0, -'.js'.length)}`;
};

module.exports = ({types: t, template}) => ({
    name: 'local-integrationhub-module-name',
    visitor: {
        // Visiting Program on exit runs this after the AMD transform has
        // produced its define() call.
        Program: {
            exit(program, state) {
                const {component, srcdir} = state.opts;
                let named = false;
                let returned = false;
                const returnDefault = (node, exportsname) => {
                    // The statement list of the factory: the nearest enclosing body.
                    const body = node.findParent((p) => p.key === 'body' || !p.parentPath);
                    body.node.body.push(template.statement.ast(`return ${exportsname}.default;`));
                    returned = true;
                };
                program.traverse({
                    CallExpression(call) {
                        if (!named && call.get('callee').isIdentifier({name: 'define'})) {
                            named = true;
                            const name = moduleName(component, srcdir, state.file.opts.filename);
                            call.node.arguments.unshift(t.stringLiteral(name));
                        }
                        // Object.defineProperty(_exports, "default", ...).
                        if (!returned && call.get('callee').matchesPattern('Object.defineProperty')) {
                            const [target, prop] = call.node.arguments;
                            if (t.isIdentifier(target) && ['exports', '_exports'].includes(target.name)
                                    && t.isStringLiteral(prop, {value: 'default'})) {
                                returnDefault(call, target.name);
                            }
                        }
                    },
                    AssignmentExpression(assign) {
                        // _exports.default = X.
                        const left = assign.get('left');
                        if (!returned && (left.matchesPattern('exports.default') || left.matchesPattern('_exports.default'))) {
                            returnDefault(assign, left.node.object.name);
                        }
                    },
                });
            },
        },
    },
});

module.exports.moduleName = moduleName;
