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
 * Admin tree: Site administration > Server > Integration Hub.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

if ($hassiteconfig || has_capability('local/integrationhub:view', context_system::instance())) {
    $ADMIN->add('server', new admin_category(
        'local_integrationhub',
        new lang_string('pluginname', 'local_integrationhub')
    ));

    $pages = [
        'local_integrationhub_dashboard' => ['dashboard', '/local/integrationhub/index.php'],
        'local_integrationhub_services' => ['services', '/local/integrationhub/services.php'],
        'local_integrationhub_rules' => ['rules', '/local/integrationhub/rules.php'],
        'local_integrationhub_queue' => ['queue', '/local/integrationhub/queue.php'],
    ];
    foreach ($pages as $name => [$string, $path]) {
        $ADMIN->add('local_integrationhub', new admin_externalpage(
            $name,
            new lang_string($string, 'local_integrationhub'),
            new moodle_url($path),
            'local/integrationhub:view'
        ));
    }

    $settings = new admin_settingpage(
        'local_integrationhub_settings',
        new lang_string('settings', 'local_integrationhub'),
        'moodle/site:config'
    );
    if ($ADMIN->fulltree) {
        $settings->add(new admin_setting_description(
            'local_integrationhub/extension',
            new lang_string('extensionstatus', 'local_integrationhub'),
            \local_integrationhub\local\hub::available()
                ? get_string('extensionloaded', 'local_integrationhub', \local_integrationhub\mih::version())
                : get_string('extensionmissing', 'local_integrationhub')
        ));
        $settings->add(new admin_setting_configtext(
            'local_integrationhub/queuetimelimit',
            new lang_string('queuetimelimit', 'local_integrationhub'),
            new lang_string('queuetimelimit_desc', 'local_integrationhub'),
            \local_integrationhub\task\run_queue::DEFAULT_TIME_LIMIT,
            PARAM_INT
        ));
        $settings->add(new admin_setting_configtext(
            'local_integrationhub/inbound_max_bytes',
            new lang_string('inbound_max_bytes', 'local_integrationhub'),
            new lang_string('inbound_max_bytes_desc', 'local_integrationhub'),
            \local_integrationhub\local\inbound::DEFAULT_MAX_BYTES,
            PARAM_INT
        ));
    }
    $ADMIN->add('local_integrationhub', $settings);
}
