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
 * Add or edit a service.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:ignore moodle.Files.RequireLogin.Missing -- page::setup() below calls admin_externalpage_setup().
require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

use local_integrationhub\form\service_form;
use local_integrationhub\local\page;
use local_integrationhub\mih;

// Not "name": that is the form's own field, posted when a service is added.
$name = optional_param('service', '', PARAM_RAW_TRIMMED);
$url = new moodle_url('/local/integrationhub/service_edit.php', $name !== '' ? ['service' => $name] : []);
$returnurl = new moodle_url('/local/integrationhub/services.php');

page::setup('services', $url, true);

$service = null;
if ($name !== '') {
    $service = mih::service($name);
    if (!$service) {
        throw new moodle_exception('servicenotfound', 'local_integrationhub', $returnurl, s($name));
    }
}

$form = new service_form($url, ['service' => $service]);
$form->set_data(service_form::to_form($service));

if ($form->is_cancelled()) {
    redirect($returnurl);
}
if ($data = $form->get_data()) {
    try {
        [$saved, $newsecret] = service_form::save($data, $service);
        if ($newsecret !== null) {
            // Shown this once so the receiver can be configured; afterwards only masked.
            \core\notification::warning(get_string('newsecret', 'local_integrationhub', s($newsecret)));
        }
        redirect($returnurl, get_string('servicesaved', 'local_integrationhub', s($saved['name'])));
    } catch (\local_integrationhub\exception | \ValueError | \moodle_exception $e) {
        \core\notification::error($e instanceof \moodle_exception ? $e->getMessage() : s($e->getMessage()));
    }
}

$PAGE->navbar->add(get_string($service ? 'editservice' : 'addservice', 'local_integrationhub'));
echo page::header('services');
echo $OUTPUT->heading(get_string($service ? 'editservice' : 'addservice', 'local_integrationhub'), 3);
$form->display();
echo $OUTPUT->footer();
