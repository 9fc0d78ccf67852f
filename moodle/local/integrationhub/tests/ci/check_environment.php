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
 * The plugin's environment check (environment.xml), run as Moodle's environment_custom_checks() runs it.
 *
 * The CUSTOM_CHECK names an existing file and function at level required, without a FEEDBACK that
 * would replace the function's message; the function passes with the loaded extension, and fails
 * when the extension is missing or older than LOCAL_INTEGRATIONHUB_MIH_MIN_VERSION, with a message
 * (in English and Spanish) that names the version needed and the one found. Run by check.php after
 * fakes.php (get_string, MOODLE_INTERNAL).
 *
 * @package    local_integrationhub
 * @copyright  2026 The mih developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable moodle.Files.MoodleInternal.MoodleInternalGlobalState

if (!class_exists('environment_results', false)) {
    // Moodle's own method names.
    // phpcs:disable moodle.NamingConventions.ValidFunctionName.LowercaseMethod
    /**
     * The part of Moodle 5.0's environment_results (lib/environmentlib.php) a custom check uses.
     */
    class environment_results {
        /** @var string */
        public $part;
        /** @var bool */
        public $status = false;
        /** @var string */
        public $level = 'required';
        /** @var string */
        public $info = '';
        /** @var string */
        public $current = '';
        /** @var string */
        public $needed = '';
        /** @var mixed */
        public $feedback = '';

        /**
         * Starts a result of one part of the check.
         *
         * @param string $part
         */
        public function __construct($part) {
            $this->part = $part;
        }

        /**
         * Sets whether the check passed.
         *
         * @param bool $testpassed
         */
        public function setStatus($testpassed) {
            $this->status = $testpassed;
        }

        /**
         * Sets the level (required or optional).
         *
         * @param string $level
         */
        public function setLevel($level) {
            $this->level = $level;
        }

        /**
         * Sets what was checked.
         *
         * @param string $info
         */
        public function setInfo($info) {
            $this->info = $info;
        }

        /**
         * Sets the version found.
         *
         * @param string $version
         */
        public function setCurrentVersion($version) {
            $this->current = $version;
        }

        /**
         * Sets the version needed.
         *
         * @param string $version
         */
        public function setNeededVersion($version) {
            $this->needed = $version;
        }

        /**
         * Sets the message: a string identifier, or [identifier, component, $a].
         *
         * @param mixed $str
         */
        public function setFeedbackStr($str) {
            $this->feedback = $str;
        }

        /**
         * Whether the check passed.
         *
         * @return bool
         */
        public function getStatus() {
            return $this->status;
        }
    }
    // phpcs:enable
}

/**
 * Runs the plugin's custom environment checks as environment_custom_checks() does.
 *
 * @param string $plugin the plugin directory
 */
function local_integrationhub_ci_environment(string $plugin): void {
    $xml = new DOMDocument();
    check(@$xml->load($plugin . '/environment.xml') === true, 'environment.xml is well-formed XML');
    $checks = (new DOMXPath($xml))->query('/COMPATIBILITY_MATRIX/PLUGIN[@name="local_integrationhub"]/CUSTOM_CHECKS/CUSTOM_CHECK');
    check($checks->length === 1, 'environment.xml has one custom check');
    if ($checks->length !== 1) {
        return;
    }
    $node = $checks->item(0);
    $file = $node->getAttribute('file');
    $function = $node->getAttribute('function');
    check($file === 'local/integrationhub/lib.php', "the custom check's file is this plugin's lib.php ($file)");
    check($node->getAttribute('level') === 'required', 'the extension check is required');
    check(
        $node->getElementsByTagName('FEEDBACK')->length === 0,
        'the custom check has no FEEDBACK (it would replace the message naming the versions)'
    );
    require_once($plugin . '/lib.php');
    check(is_callable($function), "$function() exists in lib.php");
    if (!is_callable($function)) {
        return;
    }
    $needed = LOCAL_INTEGRATIONHUB_MIH_MIN_VERSION;
    check((bool)preg_match('/^\d+\.\d+\.\d+$/', $needed), "the minimum extension version is X.Y.Z ($needed)");

    $run = function (...$args) use ($function) {
        $result = new environment_results('custom_check');
        $result->setLevel('required');
        $result->setInfo($function);
        return call_user_func($function, $result, ...$args);
    };
    $text = fn($result) => is_array($result->feedback) ? call_user_func_array('get_string', $result->feedback) : '';

    // As Moodle calls it: the extension this check runs with.
    $result = $run();
    check(
        $result instanceof environment_results && $result->getStatus() === true,
        'the environment check passes with the loaded extension ' . phpversion('mih')
    );
    check(
        $result->needed === $needed && $result->current === phpversion('mih'),
        'the check reports the needed and the loaded version'
    );

    $result = $run(false);
    check($result->getStatus() === false, 'the environment check fails without the extension');
    check(
        ($result->feedback[0] ?? '') === 'environmentmihmissing' && ($result->feedback[1] ?? '') === 'local_integrationhub',
        'without the extension the message is environmentmihmissing'
    );
    check(
        str_contains($text($result), "mih PHP extension $needed or later"),
        'the message without the extension names the minimum version: ' . $text($result)
    );

    $older = preg_replace_callback('/^(\d+)\./', fn($m) => ((int)$m[1] - 1) . '.', $needed);
    $result = $run($older);
    check($result->getStatus() === false, "the environment check fails with an older extension ($older)");
    check(($result->feedback[0] ?? '') === 'environmentmihold', 'with an older extension the message is environmentmihold');
    check(
        str_contains($text($result), $needed) && str_contains($text($result), "this server has $older"),
        'the message names the version needed and the one found: ' . $text($result)
    );

    $result = $run($needed);
    check($result->getStatus() === true, "the environment check passes with exactly $needed");

    foreach (['en', 'es'] as $lang) {
        $string = [];
        require($plugin . "/lang/$lang/local_integrationhub.php");
        foreach (['environmentmihmissing' => ['needed'], 'environmentmihold' => ['needed', 'current']] as $key => $params) {
            $ok = isset($string[$key]);
            foreach ($params as $param) {
                $ok = $ok && str_contains($string[$key], '{$a->' . $param . '}');
            }
            check($ok, "lang/$lang: $key names " . implode(' and ', $params));
        }
    }
    echo "environment: the custom check passes with mih " . phpversion('mih') . ", fails without it and with $older "
        . "(needs $needed)\n";
}
