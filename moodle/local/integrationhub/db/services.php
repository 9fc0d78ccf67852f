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
 * Web service functions of local_integrationhub (AJAX only).
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$functions = [
    'local_integrationhub_preview_template' => [
        'classname' => \local_integrationhub\external\preview_template::class,
        'description' => 'Renders a rule\'s templates over sample data of its event.',
        'type' => 'read',
        'ajax' => true,
        'capabilities' => 'local/integrationhub:manage',
    ],
    // The pure-PHP plugin's web service, kept under its name.
    'local_integrationhub_preview_payload' => [
        'classname' => \local_integrationhub\external\preview_payload::class,
        'methodname' => 'execute',
        'description' => 'Preview a payload template by interpolating mock event data.',
        'type' => 'read',
        'ajax' => true,
        'capabilities' => 'local/integrationhub:manage',
        'loginrequired' => true,
    ],
];
