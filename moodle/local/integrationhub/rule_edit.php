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
 * Add or edit a rule.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:ignore moodle.Files.RequireLogin.Missing -- page::setup() below calls admin_externalpage_setup().
require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

use local_integrationhub\form\rule_form;
use local_integrationhub\local\page;
use local_integrationhub\mih;

$id = optional_param('id', 0, PARAM_INT);
$url = new moodle_url('/local/integrationhub/rule_edit.php', $id ? ['id' => $id] : []);
$returnurl = new moodle_url('/local/integrationhub/rules.php');

page::setup('rules', $url, true);

$rule = null;
if ($id) {
    $rule = mih::rule($id);
    if (!$rule) {
        throw new moodle_exception('rulenotfound', 'local_integrationhub', $returnurl, $id);
    }
}
if (!mih::services()) {
    redirect(
        new moodle_url('/local/integrationhub/service_edit.php'),
        get_string('addservicefirst', 'local_integrationhub'),
        null,
        \core\output\notification::NOTIFY_INFO
    );
}

$form = new rule_form($url, ['rule' => $rule]);
$form->set_data(rule_form::to_form($rule));

if ($form->is_cancelled()) {
    redirect($returnurl);
}
if ($data = $form->get_data()) {
    try {
        rule_form::save($data);
        redirect($returnurl, get_string('rulesaved', 'local_integrationhub'));
    } catch (\local_integrationhub\exception | \ValueError $e) {
        \core\notification::error(s($e->getMessage()));
    }
}

$PAGE->requires->js_call_amd('local_integrationhub/preview', 'init');
$PAGE->navbar->add(get_string($rule ? 'editrule' : 'addrule', 'local_integrationhub'));
echo page::header('rules');
echo $OUTPUT->heading(get_string($rule ? 'editrule' : 'addrule', 'local_integrationhub'), 3);
echo $OUTPUT->render_from_template('local_integrationhub/eventfields', []);
$form->display();
echo $OUTPUT->footer();
