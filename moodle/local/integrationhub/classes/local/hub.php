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

use local_integrationhub\mih;

/**
 * Binds the mih extension to this Moodle site and offers the few helpers the pages share.
 *
 * All delivery logic lives in the extension; this class only passes Moodle's database connection
 * and outbound HTTP settings to it.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class hub {
    /** @var \moodle_database|null the connection the store was last bound to in this process */
    private static $bounddb = null;

    /** @var string|null digest of the outbound settings last passed to mih::configure() */
    private static $configured = null;

    /** @var bool the site's web proxy was passed to mih::configure() in this request */
    private static $siteproxy = false;

    /** @var string prefix of a signing secret (Standard Webhooks) */
    public const SECRET_PREFIX = 'whsec_';

    /**
     * Whether the mih extension is loaded in this PHP process.
     *
     * @return bool
     */
    public static function available(): bool {
        // The class is internal to the extension: never ask the autoloader for it.
        return class_exists(mih::class, false);
    }

    /**
     * Fails with a clear message when the extension is missing.
     *
     * @throws \moodle_exception
     */
    public static function require_extension(): void {
        if (!self::available()) {
            throw new \moodle_exception('extensionmissing', 'local_integrationhub');
        }
    }

    /**
     * Binds the store to $DB and passes the site's curl security settings, once per request.
     *
     * Returns false while Moodle installs or before the plugin's tables exist, and when the
     * extension is not loaded; then nothing of the hub can run.
     *
     * @return bool whether the hub is usable now
     */
    public static function bind(): bool {
        global $DB;

        if (!self::available() || during_initial_install() || empty($DB)) {
            return false;
        }
        if (self::$bounddb !== $DB) {
            // The tables come from install.xml: bind only once they exist.
            if (!get_config('local_integrationhub', 'version')) {
                return false;
            }
            mih::use_db($DB);
            self::$bounddb = $DB;
        }
        self::configure();
        return true;
    }

    /**
     * Forgets the binding, so the next bind() binds again (used by tests that swap $DB).
     */
    public static function reset(): void {
        self::$bounddb = null;
        self::$configured = null;
        self::$siteproxy = false;
    }

    /**
     * Splits one of Moodle's list settings (one entry a line; commas tolerated) into entries.
     *
     * @param string|null $value
     * @return string[]
     */
    public static function split_list(?string $value): array {
        if ($value === null) {
            return [];
        }
        return array_values(array_filter(array_map('trim', preg_split('/[\s,]+/', $value)), 'strlen'));
    }

    /**
     * The site's web proxy (Site administration > Server > HTTP > Web proxy) as mih::configure() takes it.
     *
     * As Moodle's curl class applies it: proxyport empty or 0 leaves libcurl's default; SOCKS5 or HTTP;
     * the user and password only when both are set; proxybypass split at commas (the extension matches
     * it as is_proxybypass() does, so a service Moodle would bypass goes direct). Without a proxyhost
     * there is nothing to pass: the host's own proxy (mih.proxy_* in php.ini, none by default) applies,
     * as the host's environment proxy applies to Moodle's curl class when the site has none.
     *
     * @return array|null the proxy_* settings, null when the site has no web proxy
     */
    public static function proxy_settings(): ?array {
        global $CFG;

        if (empty($CFG->proxyhost)) {
            return null;
        }
        $settings = [
            'proxy_host' => (string)$CFG->proxyhost,
            'proxy_port' => empty($CFG->proxyport) ? 0 : (string)$CFG->proxyport,
            'proxy_type' => ($CFG->proxytype ?? '') === 'SOCKS5' ? 'socks5' : 'http',
            'proxy_bypass' => empty($CFG->proxybypass) ? [] : explode(',', (string)$CFG->proxybypass),
        ];
        if (!empty($CFG->proxyuser) && !empty($CFG->proxypassword)) {
            $settings['proxy_user'] = (string)$CFG->proxyuser;
            $settings['proxy_password'] = (string)$CFG->proxypassword;
        }
        return $settings;
    }

    /**
     * Passes curlsecurityblockedhosts, curlsecurityallowedport and the web proxy to the extension.
     *
     * An entry the extension cannot parse is left out (and reported) rather than leaving the whole
     * list unapplied, so one typo does not open every blocked range. Proxy settings it refuses are
     * reported (without the password) and transfers go direct: the outbound lists apply either way.
     */
    public static function configure(): void {
        global $CFG;

        $hosts = self::split_list($CFG->curlsecurityblockedhosts ?? '');
        $ports = self::split_list($CFG->curlsecurityallowedport ?? '');
        $proxy = self::proxy_settings();
        // A digest, so that the proxy password is not kept in another place.
        $key = hash('sha256', json_encode([$hosts, $ports, $proxy]));
        if ($key === self::$configured) {
            return;
        }
        $settings = ['blocked_hosts' => $hosts, 'allowed_ports' => $ports];
        try {
            mih::configure($settings);
        } catch (\ValueError $e) {
            $settings = ['blocked_hosts' => [], 'allowed_ports' => []];
            foreach (['blocked_hosts' => $hosts, 'allowed_ports' => $ports] as $name => $entries) {
                foreach ($entries as $entry) {
                    try {
                        mih::configure([$name => [$entry]]);
                        $settings[$name][] = $entry;
                    } catch (\ValueError $bad) {
                        debugging(get_string('invalidcurlsetting', 'local_integrationhub', s($entry)), DEBUG_NORMAL);
                    }
                }
            }
            mih::configure($settings);
        }
        if ($proxy === null && self::$siteproxy) {
            // The site dropped its proxy during this request: the one passed before no longer applies.
            $proxy = ['proxy_host' => ''];
        }
        try {
            if ($proxy !== null) {
                mih::configure($proxy);
                self::$siteproxy = $proxy['proxy_host'] !== '';
            }
        } catch (\ValueError | \TypeError $e) {
            // The extension's message names the setting and never quotes the password.
            debugging(get_string('invalidproxysetting', 'local_integrationhub', s($e->getMessage())), DEBUG_NORMAL);
            mih::configure(['proxy_host' => '']);
            self::$siteproxy = false;
        }
        self::$configured = $key;
    }

    /**
     * A new signing secret: whsec_ followed by 32 random bytes in base64.
     *
     * @return string
     */
    public static function generate_secret(): string {
        return self::SECRET_PREFIX . base64_encode(random_bytes(32));
    }

    /**
     * Names of the events that have at least one enabled rule, cached in MUC.
     *
     * @return string[] event names as the extension stores them (\component\event\name)
     */
    public static function rule_event_names(): array {
        $cache = \cache::make('local_integrationhub', 'ruleevents');
        $names = $cache->get('names');
        if ($names === false) {
            $names = [];
            foreach (mih::rules(['enabled' => true]) as $rule) {
                $names[$rule['eventname']] = true;
            }
            $names = array_keys($names);
            $cache->set('names', $names);
        }
        return $names;
    }

    /**
     * Drops the cached rule event names on every node, after a rule changed.
     */
    public static function rules_changed(): void {
        \cache_helper::invalidate_by_event('local_integrationhub_rules_changed', ['names']);
    }

    /**
     * Canonical form of an event name, as the extension stores it (leading backslash).
     *
     * @param string $eventname
     * @return string
     */
    public static function normalise_eventname(string $eventname): string {
        return '\\' . ltrim(trim($eventname), '\\');
    }
}
