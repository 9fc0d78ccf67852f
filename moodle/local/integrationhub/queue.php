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
 * Queue: the queued tasks (view payload, retry now, delete) and the dead-letter queue at the
 * bottom (view payload, replay, delete, replay all, purge), each filtered, paged, and acted on
 * row by row or for the ticked rows. The request and the actions are handled by
 * \local_integrationhub\local\queue_actions, the page's content by queue_view.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:ignore moodle.Files.RequireLogin.Missing -- page::setup() below calls admin_externalpage_setup().
require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

use local_integrationhub\local\page;
use local_integrationhub\local\queue_actions;
use local_integrationhub\local\queue_view;

$request = queue_actions::from_request();
page::setup('queue', $request->url(), $request->action !== '');

if ($request->action !== '') {
    if ($request->needs_confirmation()) {
        echo page::header('queue');
        echo $OUTPUT->confirm(
            $request->confirmation(),
            $request->url(['action' => $request->action, 'confirm' => 1, 'sesskey' => sesskey()]),
            $request->return_url()
        );
        echo $OUTPUT->footer();
        exit;
    }
    $result = $request->execute();
    redirect($request->return_url(), $result->message, null, $result->type);
}

$view = new queue_view($request);
$context = $view->export(page::can_manage());
foreach (['tpage' => 'taskpaging', 'dpage' => 'deadpaging'] as $pagevar => $key) {
    $context[$key] = $OUTPUT->paging_bar(
        $view->page_total($pagevar),
        $view->page($pagevar),
        queue_actions::PERPAGE,
        $view->paging_url($pagevar),
        $pagevar
    );
}

echo page::header('queue');
echo $OUTPUT->render_from_template('local_integrationhub/queue', $context);
echo $OUTPUT->footer();
