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
 * Live preview of a rule's payload while its template is edited.
 *
 * @module     local_integrationhub/preview
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
define(['core/ajax', 'core/templates', 'core/notification'], function(Ajax, Templates, Notification) {
    var DELAY = 400;

    /**
     * Re-renders the preview region from the server's answer.
     *
     * @param {Object} result
     * @param {String} eventname
     * @return {Promise}
     */
    var show = function(result, eventname) {
        var context = Object.assign({}, result, {hasevent: eventname !== '', haserror: result.error !== ''});
        return Templates.render('local_integrationhub/preview', context).then(function(html) {
            var region = document.querySelector('[data-region="local_integrationhub-preview"]');
            if (region) {
                Templates.replaceNode(region, html, '');
            }
            return html;
        });
    };

    return {
        /**
         * Watches the event, endpoint and template fields of the rule form.
         */
        init: function() {
            var event = document.getElementById('id_eventname');
            var template = document.getElementById('id_payload_template');
            var endpoint = document.getElementById('id_endpoint');
            if (!event || !template || !endpoint) {
                return;
            }
            var timer = null;
            var refresh = function() {
                clearTimeout(timer);
                timer = setTimeout(function() {
                    var eventname = event.value || '';
                    Ajax.call([{
                        methodname: 'local_integrationhub_preview_template',
                        args: {eventname: eventname, template: template.value, endpoint: endpoint.value}
                    }])[0].then(function(result) {
                        return show(result, eventname);
                    }).catch(Notification.exception);
                }, DELAY);
            };
            template.addEventListener('input', refresh);
            endpoint.addEventListener('input', refresh);
            event.addEventListener('change', refresh);
        }
    };
});
