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
 * Upgrade steps: from the pure-PHP Integration Hub (up to 2026022700) to the mih extension, then the
 * extension's own schema changes.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Upgrades the plugin.
 *
 * @param int $oldversion
 * @return bool
 */
function xmldb_local_integrationhub_upgrade($oldversion) {
    global $DB;

    if ($oldversion < 2026030100) {
        // The PHP plugin's tables keep their names and columns; the extension's columns and tables are added.
        local_integrationhub_upgrade_schema();
        local_integrationhub_upgrade_rows();
        local_integrationhub_upgrade_adhoc_tasks();
        unset_config('max_log_entries', 'local_integrationhub');
        upgrade_plugin_savepoint(true, 2026030100, 'local', 'integrationhub');
    }

    if ($oldversion < 2026120100) {
        // Tasks and dead letters name the user and context of their event, so the privacy API finds a user's
        // rows without reading every payload. (A site coming from the PHP plugin got the columns just above.)
        $dbman = $DB->get_manager();
        foreach (['local_integrationhub_queue', 'local_integrationhub_dlq'] as $tablename) {
            $table = new xmldb_table($tablename);
            foreach (['userid', 'relateduserid', 'contextid'] as $name) {
                $field = new xmldb_field($name, XMLDB_TYPE_INTEGER, '10', null, null, null, null);
                if (!$dbman->field_exists($table, $field)) {
                    $dbman->add_field($table, $field);
                }
                $index = new xmldb_index($name, XMLDB_INDEX_NOTUNIQUE, [$name]);
                if (!$dbman->index_exists($table, $index)) {
                    $dbman->add_index($table, $index);
                }
            }
        }
        local_integrationhub_upgrade_privacy_links();
        upgrade_plugin_savepoint(true, 2026120100, 'local', 'integrationhub');
    }

    if ($oldversion < 2026120200) {
        // The queue's run_token column (the worker run that last claimed a task, so that a run attempts
        // a task at most once and "Retry now" applies to the very next run), added from install.xml.
        local_integrationhub_upgrade_schema();
        upgrade_plugin_savepoint(true, 2026120200, 'local', 'integrationhub');
    }

    if ($oldversion < 2026120300) {
        // Inbound webhooks: the plugin's own tables of opted-in services and of seen webhook ids.
        local_integrationhub_upgrade_schema();
        if ($oldversion <= 2026022700) {
            // The PHP plugin's webhook.php accepted a service's own token: its senders keep working. Services
            // without a token were open there; here they stay closed until an administrator opts them in.
            local_integrationhub_upgrade_inbound_tokens();
        }
        upgrade_plugin_savepoint(true, 2026120300, 'local', 'integrationhub');
    }

    return true;
}

/**
 * The user and context an event's data names, as the extension reads them for a task: userid, relateduserid
 * and contextid when they are a positive integer (or a string of at most 18 digits), null otherwise.
 *
 * @param mixed $eventdata the decoded event data
 * @return array with keys userid, relateduserid and contextid
 */
function local_integrationhub_privacy_links($eventdata): array {
    $links = [];
    foreach (['userid', 'relateduserid', 'contextid'] as $key) {
        $value = is_array($eventdata) ? ($eventdata[$key] ?? null) : null;
        if (is_string($value) && preg_match('/^[0-9]{1,18}$/', $value)) {
            $value = (int)$value;
        }
        $links[$key] = is_int($value) && $value > 0 ? $value : null;
    }
    return $links;
}

/**
 * Fills userid, relateduserid and contextid of the queued tasks and dead letters that have none from their
 * stored event data, a batch of rows at a time.
 *
 * @param int $batch rows read per query
 * @return int the rows updated
 */
function local_integrationhub_upgrade_privacy_links(int $batch = 500): int {
    global $DB;

    $updated = 0;
    $select = 'id > ? AND eventdata IS NOT NULL AND userid IS NULL AND relateduserid IS NULL AND contextid IS NULL';
    foreach (['local_integrationhub_queue', 'local_integrationhub_dlq'] as $table) {
        $lastid = 0;
        do {
            $rows = $DB->get_records_select($table, $select, [$lastid], 'id', 'id, eventdata', 0, $batch);
            foreach ($rows as $row) {
                $lastid = (int)$row->id;
                $links = local_integrationhub_privacy_links(json_decode((string)$row->eventdata, true));
                if (array_filter($links)) {
                    $DB->update_record($table, (object)(['id' => $row->id] + $links));
                    $updated++;
                }
            }
        } while (count($rows) === $batch);
    }
    return $updated;
}

/**
 * Brings every table to install.xml: missing tables, columns and indexes are added, columns whose
 * type, size, nullability or default differ are changed (NULLs first take the new default).
 */
function local_integrationhub_upgrade_schema(): void {
    global $DB;

    $dbman = $DB->get_manager();
    $file = new xmldb_file(__DIR__ . '/install.xml');
    $file->loadXMLStructure();
    $structure = $file->getStructure();

    foreach ($structure->getTables() as $table) {
        if (!$dbman->table_exists($table)) {
            $dbman->create_table($table);
            continue;
        }
        $columns = $DB->get_columns($table->getName());
        $previous = null;
        foreach ($table->getFields() as $field) {
            $name = $field->getName();
            $field->setPrevious(null);
            $field->setNext(null);
            if (!isset($columns[$name])) {
                if ($previous !== null) {
                    $field->setPrevious($previous);
                }
                $dbman->add_field($table, $field);
            } else if ($name !== 'id' && local_integrationhub_field_differs($columns[$name], $field)) {
                // A column cannot change under an index: drop the PHP plugin's indexes on it (the ones
                // install.xml declares come back below).
                foreach ($DB->get_indexes($table->getName()) as $index) {
                    if (in_array($name, $index['columns'], true)) {
                        $dbman->drop_index($table, new xmldb_index('old', $index['unique'] ? XMLDB_INDEX_UNIQUE
                            : XMLDB_INDEX_NOTUNIQUE, $index['columns']));
                    }
                }
                if ($field->getNotNull() && $field->getDefault() !== null) {
                    $DB->set_field_select($table->getName(), $name, $field->getDefault(), "$name IS NULL");
                }
                $dbman->change_field_type($table, $field);
                $dbman->change_field_default($table, $field);
            }
            $previous = $name;
        }
        foreach ($table->getIndexes() as $index) {
            if (!$dbman->index_exists($table, $index)) {
                $dbman->add_index($table, $index);
            }
        }
    }
}

/**
 * Whether a column differs from its install.xml definition in type, size, nullability or default
 * (the comparisons of Moodle's own schema check).
 *
 * @param database_column_info $column
 * @param xmldb_field $field
 * @return bool
 */
function local_integrationhub_field_differs(database_column_info $column, xmldb_field $field): bool {
    $types = [XMLDB_TYPE_INTEGER => 'I', XMLDB_TYPE_NUMBER => 'N', XMLDB_TYPE_CHAR => 'C', XMLDB_TYPE_TEXT => 'X'];
    $type = $types[$field->getType()] ?? null;
    if ($type !== null && $column->meta_type !== $type && !($type === 'I' && $column->meta_type === 'R')) {
        return true;
    }
    if (
        in_array($field->getType(), [XMLDB_TYPE_INTEGER, XMLDB_TYPE_CHAR], true)
        && (int)$column->max_length < (int)$field->getLength()
    ) {
        return true;
    }
    if (
        $field->getType() === XMLDB_TYPE_NUMBER
        && ((int)$column->scale !== (int)$field->getDecimals() || (int)$column->max_length < (int)$field->getLength())
    ) {
        return true;
    }
    if ((bool)$column->not_null !== (bool)$field->getNotNull()) {
        return true;
    }
    $default = $field->getDefault();
    if ($default === null) {
        return (bool)$column->has_default;
    }
    return !$column->has_default || (string)$column->default_value !== (string)$default;
}

/**
 * Fills the added columns of the PHP plugin's rows and disables what the extension cannot run.
 */
function local_integrationhub_upgrade_rows(): void {
    global $DB;

    // AMQP and SOAP services keep running, with their settings in the extension's form.
    local_integrationhub_upgrade_transports();
    // New list columns arrive NULL, which the store reads as empty lists: give the PHP plugin's services
    // the extension's defaults (encoded as the store writes them: 5 stands for the class 5xx).
    $DB->set_field_select(
        'local_integrationhub_svc',
        'retry_statuses',
        '[408,425,429,500,502,503,504]',
        'retry_statuses IS NULL'
    );
    $DB->set_field_select('local_integrationhub_svc', 'cb_failure_statuses', '[5,429]', 'cb_failure_statuses IS NULL');
    $DB->set_field_select('local_integrationhub_svc', 'headers', '{}', 'headers IS NULL');
    $DB->set_field_select('local_integrationhub_svc', 'signing_secrets', '[]', 'signing_secrets IS NULL');
    $DB->set_field_select('local_integrationhub_rules', 'headers', '{}', 'headers IS NULL');

    // The PHP plugin defaulted auth_type to bearer even without a token.
    $DB->execute("UPDATE {local_integrationhub_svc} SET auth_type = 'none'
                    WHERE auth_type IS NULL OR auth_type = '' OR
                          (auth_type IN ('bearer', 'apikey') AND (auth_token IS NULL OR auth_token = ''))");

    // Its rules used {{field}} substitution, which is valid Mustache; a rule that does not compile is
    // disabled with a notice rather than failing every event.
    if (class_exists(\local_integrationhub\mih::class, false)) {
        foreach ($DB->get_records('local_integrationhub_rules', ['enabled' => 1]) as $rule) {
            try {
                \local_integrationhub\mih::check_template((string)$rule->payload_template, 'json');
                \local_integrationhub\mih::check_template((string)$rule->endpoint, 'url');
            } catch (\local_integrationhub\template_exception $e) {
                $DB->set_field('local_integrationhub_rules', 'enabled', 0, ['id' => $rule->id]);
                mtrace(get_string(
                    'upgradetemplate',
                    'local_integrationhub',
                    (object)['id' => $rule->id, 'eventname' => $rule->eventname, 'error' => $e->getMessage()]
                ));
            }
        }
    }

    // Dead letters: the endpoint and method come from the rule of that event and service, as the PHP
    // plugin's replay looked them up; each gets the idempotency key a replay sends.
    foreach ($DB->get_records('local_integrationhub_dlq', ['idempotency_key' => null]) as $letter) {
        $rule = $DB->get_record(
            'local_integrationhub_rules',
            ['serviceid' => $letter->serviceid, 'eventname' => $letter->eventname],
            '*',
            IGNORE_MULTIPLE
        );
        $update = (object)[
            'id' => $letter->id,
            'idempotency_key' => 'msg_' . bin2hex(random_bytes(16)),
            'taskcreated' => $letter->taskcreated ?: $letter->timecreated,
            'attempts' => $letter->attempts ?: 5,
        ];
        if ($rule) {
            $update->ruleid = $rule->id;
            $update->endpoint = $letter->endpoint ?? ($rule->endpoint !== null && $rule->endpoint !== '' ? $rule->endpoint : '/');
            $update->http_method = $letter->http_method ?? ($rule->http_method ?: 'POST');
        } else {
            $update->endpoint = $letter->endpoint ?? '/';
            $update->http_method = $letter->http_method ?? 'POST';
        }
        $DB->update_record('local_integrationhub_dlq', $update);
    }
}

/**
 * Maps the PHP plugin's AMQP and SOAP services to the extension's, keeping them and their rules as they were
 * (enabled or not). AMQP: the broker URL keeps its form (amqp[s]://user@host:port/vhost?exchange=..&routing_key=..
 * &queue_declare=..) without its password, which becomes the service's secret (auth_token: masked when shown,
 * encrypted at rest from the next save or rotate_secrets()); the builder's "dlq" parameter is dropped, the hub
 * keeping its own dead-letter queue. SOAP: the base URL stays the WSDL and the rule's endpoint the operation.
 * Neither uses the HTTP auth settings, and their rules' HTTP method (the PHP plugin logged AMQP calls as
 * "AMQP") becomes POST, which they ignore.
 */
function local_integrationhub_upgrade_transports(): void {
    global $DB;

    // The connect timeout column arrived with its default (10 s): never above the service's own timeout, or the
    // service could not be saved again.
    $DB->execute("UPDATE {local_integrationhub_svc} SET connect_timeout = timeout WHERE connect_timeout > timeout");

    foreach ($DB->get_records_sql("SELECT * FROM {local_integrationhub_svc} WHERE type <> 'rest'") as $service) {
        $type = strtolower(trim((string)$service->type));
        $update = (object)['id' => $service->id];
        if ($type === 'amqp') {
            [$url, $password, $droppeddlq] = local_integrationhub_split_amqp_url((string)$service->base_url);
            $update->base_url = $url;
            $update->auth_type = 'none';
            $update->auth_token = $password;
            if ($droppeddlq) {
                mtrace(get_string('upgradeamqpdlq', 'local_integrationhub', $service->name));
            }
        } else if ($type !== 'soap') {
            // No other transport existed: an unknown type is kept as a disabled HTTP service, for reference.
            $update->enabled = 0;
            mtrace(get_string('upgradeunknowntype', 'local_integrationhub', $service->name));
            $type = 'rest';
        }
        $update->type = $type;
        $DB->update_record('local_integrationhub_svc', $update);
        if ($type === 'amqp' || $type === 'soap') {
            $DB->execute(
                "UPDATE {local_integrationhub_rules} SET http_method = 'POST'
                  WHERE serviceid = ? AND (http_method IS NULL OR http_method NOT IN ('GET', 'POST', 'PUT', 'PATCH',
                        'DELETE', 'HEAD'))",
                [$service->id]
            );
        }
    }
}

/**
 * An AMQP URL of the PHP plugin split into the URL without its password and the password (decoded), and
 * without its "dlq" parameter.
 *
 * @param string $url amqp[s]://user:password@host:port/vhost?params
 * @return array [url, password or null when the URL has none, whether a dlq parameter was dropped]
 */
function local_integrationhub_split_amqp_url(string $url): array {
    $password = null;
    if (preg_match('~^(amqps?://)([^:@/?#]*):([^@/?#]*)@(.*)$~is', $url, $m)) {
        $password = rawurldecode($m[3]);
        $url = $m[1] . $m[2] . '@' . $m[4];
    }
    $droppeddlq = false;
    $parts = explode('?', $url, 2);
    if (isset($parts[1])) {
        $kept = [];
        foreach (explode('&', $parts[1]) as $param) {
            if ($param === '' || strtok($param, '=') === 'dlq') {
                $droppeddlq = $droppeddlq || $param !== '';
                continue;
            }
            $kept[] = $param;
        }
        $url = $parts[0] . ($kept ? '?' . implode('&', $kept) : '');
    }
    return [$url, $password, $droppeddlq];
}

/**
 * Moves the PHP plugin's pending deliveries (adhoc tasks whose class no longer exists) to the
 * extension's queue, rendered with their rule as that plugin would have sent them.
 */
function local_integrationhub_upgrade_adhoc_tasks(): void {
    global $DB;

    $classname = '\\local_integrationhub\\task\\dispatch_event_task';
    $tasks = $DB->get_records('task_adhoc', ['classname' => $classname]);
    if (!$tasks || !class_exists(\local_integrationhub\mih::class, false)) {
        return;
    }
    \local_integrationhub\mih::use_db($DB);
    $moved = 0;
    foreach ($tasks as $task) {
        $data = json_decode((string)$task->customdata, true);
        $rule = !empty($data['ruleid']) ? $DB->get_record('local_integrationhub_rules', ['id' => $data['ruleid']]) : false;
        $service = $rule ? $DB->get_record('local_integrationhub_svc', ['id' => $rule->serviceid]) : false;
        if ($rule && $service && in_array($service->type, ['rest', 'amqp', 'soap'], true)) {
            $eventdata = (array)($data['eventdata'] ?? []);
            $eventjson = json_encode($eventdata, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
            $eventname = \local_integrationhub\local\hub::normalise_eventname((string)$rule->eventname);
            try {
                $payload = trim((string)$rule->payload_template) === ''
                    ? $eventjson
                    : \local_integrationhub\mih::render($rule->payload_template, $eventdata, 'json');
                $taskid = \local_integrationhub\mih::enqueue(
                    $service->name,
                    $rule->endpoint ?: '/',
                    $payload,
                    $rule->http_method ?: 'POST'
                );
                // A delivery queued by enqueue() has no event: the task keeps its event, rule and event data, as
                // for an emitted event, with the user and context it names.
                $DB->update_record('local_integrationhub_queue', (object)([
                    'id' => $taskid, 'eventname' => $eventname, 'ruleid' => $rule->id, 'eventdata' => $eventjson,
                ] + local_integrationhub_privacy_links($eventdata)));
                $moved++;
            } catch (\local_integrationhub\exception $e) {
                // Kept as a dead letter with its event data, so an administrator can see and decide.
                $DB->insert_record('local_integrationhub_dlq', (object)([
                    'eventname' => $eventname, 'serviceid' => $service->id, 'ruleid' => $rule->id,
                    'payload' => $eventjson, 'eventdata' => $eventjson, 'error_message' => $e->getMessage(),
                    'endpoint' => $rule->endpoint ?: '/', 'http_method' => $rule->http_method ?: 'POST',
                    'idempotency_key' => 'msg_' . bin2hex(random_bytes(16)), 'attempts' => 0, 'last_status' => 0,
                    'timecreated' => time(), 'taskcreated' => (int)($task->timecreated ?? time()),
                ] + local_integrationhub_privacy_links($eventdata)));
            }
        }
        $DB->delete_records('task_adhoc', ['id' => $task->id]);
    }
    mtrace(get_string('upgradeadhoc', 'local_integrationhub', $moved));
}

/**
 * Opts the PHP plugin's services that had a token in to inbound webhooks checked by that token.
 *
 * @return int how many services were opted in
 */
function local_integrationhub_upgrade_inbound_tokens(): int {
    global $DB;

    $count = 0;
    foreach ($DB->get_records('local_integrationhub_svc') as $service) {
        $known = $DB->record_exists('local_integrationhub_inbound', ['service' => $service->name]);
        if (trim((string)$service->auth_token) === '' || $known) {
            continue;
        }
        $DB->insert_record('local_integrationhub_inbound', (object)[
            'service' => $service->name, 'enabled' => 1, 'auth' => 'token', 'tolerance' => 300, 'timemodified' => time(),
        ]);
        $count++;
    }
    return $count;
}
