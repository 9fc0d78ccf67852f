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

namespace local_integrationhub\local;

/**
 * Set-up shared by the admin pages: access checks, binding and the tab row.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class page {
    /** @var string[] tab name => script */
    private const TABS = [
        'dashboard' => '/local/integrationhub/index.php',
        'services' => '/local/integrationhub/services.php',
        'rules' => '/local/integrationhub/rules.php',
        'queue' => '/local/integrationhub/queue.php',
    ];

    /**
     * Sets up an admin page of the hub: login, capability, the admin tree node, the store.
     *
     * @param string $tab the tab this page belongs to (dashboard, services, rules, queue)
     * @param \moodle_url $url the page's own URL
     * @param bool $manage whether the page changes anything (needs local/integrationhub:manage)
     */
    public static function setup(string $tab, \moodle_url $url, bool $manage = false): void {
        global $PAGE;

        admin_externalpage_setup('local_integrationhub_' . $tab, '', null, $url);
        $PAGE->set_url($url);
        // An add or edit page is not a node of the admin tree: its tab's node stays the active one, so
        // the breadcrumb reads Integration Hub > Services > Add Service with Site administration highlighted.
        \navigation_node::override_active_url(new \moodle_url(self::TABS[$tab]));
        if ($manage) {
            require_capability('local/integrationhub:manage', \context_system::instance());
        }
        hub::require_extension();
        hub::bind();
    }

    /**
     * Whether the current user may change things.
     *
     * @return bool
     */
    public static function can_manage(): bool {
        return has_capability('local/integrationhub:manage', \context_system::instance());
    }

    /**
     * Page heading plus the row of tabs.
     *
     * @param string $current
     * @return string HTML
     */
    public static function header(string $current): string {
        global $OUTPUT;

        $tabs = [];
        foreach (self::TABS as $name => $path) {
            $tabs[] = new \tabobject($name, new \moodle_url($path), get_string($name, 'local_integrationhub'));
        }
        return $OUTPUT->header() . $OUTPUT->heading(get_string('pluginname', 'local_integrationhub'))
            . $OUTPUT->tabtree($tabs, $current);
    }

    /**
     * A date for tables, or a dash.
     *
     * @param int|null $time
     * @return string
     */
    public static function date(?int $time): string {
        return $time ? userdate($time, get_string('strftimedatetimeshort', 'langconfig')) : '-';
    }

    /**
     * The pretty form of a JSON payload for display, or the bytes unchanged when not JSON.
     *
     * @param string|null $payload
     * @return string
     */
    public static function pretty_json(?string $payload): string {
        if ($payload === null || $payload === '') {
            return '';
        }
        $decoded = json_decode($payload);
        if (json_last_error() !== JSON_ERROR_NONE) {
            return $payload;
        }
        return json_encode($decoded, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    }
}
