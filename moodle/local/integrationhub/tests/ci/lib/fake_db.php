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
 * The stand-in of Moodle's $DB the plugin checks use (and the fake site of check_inbound.php): the
 * repository's mih_test_moodle_db plus the moodle_database methods the plugin's own code calls.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable

/** moodle_database over the fake's own SQL. */
class local_integrationhub_ci_db extends mih_test_moodle_db {

    /**
     * moodle_database::get_field() over the fake's own SQL.
     *
     * @param string $table
     * @param string $field
     * @param array $conditions
     * @return mixed
     */
    public function get_field($table, $field, array $conditions) {
        $this->calls['get_field'] = ($this->calls['get_field'] ?? 0) + 1;
        $where = implode(' AND ', array_map(fn($k) => "$k = ?", array_keys($conditions)));
        $rows = $this->get_records_sql("SELECT id, $field FROM {" . $table . "} WHERE $where",
            array_values($conditions));
        $row = reset($rows);
        return $row ? $row->$field : false;
    }

    /**
     * moodle_database::get_records() (equality conditions, NULL as IS NULL).
     *
     * @param string $table
     * @param array $conditions
     * @return array
     */
    public function get_records($table, array $conditions = []) {
        [$where, $params] = $this->where($conditions);
        return $this->get_records_sql("SELECT * FROM {" . $table . "} WHERE $where", $params);
    }

    /**
     * moodle_database::get_record().
     *
     * @param string $table
     * @param array $conditions
     * @return \stdClass|false
     */
    public function get_record($table, array $conditions) {
        $rows = $this->get_records($table, $conditions);
        return $rows ? reset($rows) : false;
    }

    /**
     * moodle_database::update_record(): only columns the table has, as Moodle checks.
     *
     * @param string $table
     * @param \stdClass $data
     * @return bool
     */
    public function update_record($table, $data) {
        $data = (array)$data;
        $id = $data['id'];
        unset($data['id']);
        foreach (array_keys($data) as $field) {
            if (!isset($this->columns[$table][$field])) {
                throw new \dml_write_exception("Field \"$field\" does not exist in table \"$table\"");
            }
        }
        $set = implode(', ', array_map(fn($k) => "$k = ?", array_keys($data)));
        $this->execute("UPDATE {" . $table . "} SET $set WHERE id = ?", [...array_values($data), $id]);
        return true;
    }

    /**
     * moodle_database::delete_records().
     *
     * @param string $table
     * @param array $conditions
     * @return bool
     */
    public function delete_records($table, array $conditions = []) {
        [$where, $params] = $this->where($conditions);
        $this->execute("DELETE FROM {" . $table . "} WHERE $where", $params);
        return true;
    }

    /**
     * @param array $conditions
     * @return array [sql, params]
     */
    private function where(array $conditions): array {
        $sql = ['1 = 1'];
        $params = [];
        foreach ($conditions as $k => $v) {
            if ($v === null) {
                $sql[] = "$k IS NULL";
            } else {
                $sql[] = "$k = ?";
                $params[] = $v;
            }
        }
        return [implode(' AND ', $sql), $params];
    }

    /**
     * moodle_database::record_exists().
     *
     * @param string $table
     * @param array $conditions
     * @return bool
     */
    public function record_exists($table, array $conditions) {
        return (bool)$this->get_records($table, $conditions);
    }

    /**
     * moodle_database::delete_records_select().
     *
     * @param string $table
     * @param string $select
     * @param array $params
     * @return bool
     */
    public function delete_records_select($table, $select, ?array $params = null) {
        $this->execute("DELETE FROM {" . $table . "} WHERE $select", $params ?? []);
        return true;
    }
}
