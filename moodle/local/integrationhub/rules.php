<?php
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
 * Rules: list, enable/disable, delete.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:ignore moodle.Files.RequireLogin.Missing -- page::setup() below calls admin_externalpage_setup().
require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

use local_integrationhub\local\hub;
use local_integrationhub\local\page;
use local_integrationhub\mih;

$action = optional_param('action', '', PARAM_ALPHA);
$id = optional_param('id', 0, PARAM_INT);
$url = new moodle_url('/local/integrationhub/rules.php');

page::setup('rules', $url, $action !== '');

if ($action !== '') {
    $rule = mih::rule($id);
    if (!$rule) {
        redirect(
            $url,
            get_string('rulenotfound', 'local_integrationhub', $id),
            null,
            \core\output\notification::NOTIFY_ERROR
        );
    }
    if ($action === 'delete') {
        if (optional_param('confirm', 0, PARAM_BOOL)) {
            require_sesskey();
            mih::delete_rule($id);
            hub::rules_changed();
            redirect($url, get_string('ruledeleted', 'local_integrationhub'));
        }
        echo page::header('rules');
        echo $OUTPUT->confirm(
            get_string('confirmdeleterule', 'local_integrationhub', (object)[
                'eventname' => s($rule['eventname']),
                'service' => s($rule['service']),
            ]),
            new moodle_url($url, ['action' => 'delete', 'id' => $id, 'confirm' => 1, 'sesskey' => sesskey()]),
            $url
        );
        echo $OUTPUT->footer();
        exit;
    }
    if ($action === 'enable' || $action === 'disable') {
        require_sesskey();
        mih::save_rule(['id' => $id, 'enabled' => $action === 'enable']);
        hub::rules_changed();
        redirect($url, get_string($action === 'enable' ? 'ruleenabled' : 'ruledisabled', 'local_integrationhub'));
    }
    throw new moodle_exception('invalidaction', 'local_integrationhub', $url, s($action));
}

$rows = [];
foreach (mih::rules() as $rule) {
    $rows[] = [
        'id' => $rule['id'],
        'eventname' => $rule['eventname'],
        'service' => $rule['service'],
        'endpoint' => $rule['endpoint'],
        'method' => $rule['method'],
        'enabled' => $rule['enabled'],
        'templatesummary' => trim($rule['payload_template']) === '' ? get_string('wholeeventdata', 'local_integrationhub')
            : shorten_text($rule['payload_template'], 80),
        'editurl' => (new moodle_url('/local/integrationhub/rule_edit.php', ['id' => $rule['id']]))->out(false),
        'deleteurl' => (new moodle_url($url, ['action' => 'delete', 'id' => $rule['id']]))->out(false),
    ];
}

echo page::header('rules');
echo $OUTPUT->render_from_template('local_integrationhub/rules', [
    'rules' => $rows,
    'hasrules' => !empty($rows),
    'canmanage' => page::can_manage(),
    'hasservices' => !empty(mih::services()),
    'addurl' => (new moodle_url('/local/integrationhub/rule_edit.php'))->out(false),
    'actionurl' => $url->out(false),
    'sesskey' => sesskey(),
]);
echo $OUTPUT->footer();
