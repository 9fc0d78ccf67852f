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
 * English strings of local_integrationhub.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['addrule'] = 'Add rule';
$string['addservice'] = 'Add service';
$string['addservicefirst'] = 'Add a service first: a rule sends its event to a service.';
$string['allstatuses'] = 'All statuses';
$string['apikeyheader'] = 'API key header';
$string['authapikey'] = 'API key header';
$string['authbasic'] = 'Basic (user:password)';
$string['authbearer'] = 'Bearer token';
$string['authentication'] = 'Authentication';
$string['authnone'] = 'None';
$string['authtoken'] = 'Token or credentials';
$string['authtoken_help'] = 'The bearer token, the API key, or "user:password" for Basic authentication. Leave empty to keep the stored value; it is never shown back in full.';
$string['authtype'] = 'Authentication type';
$string['baseurl'] = 'Base URL';
$string['baseurl_help'] = 'The http or https address every path of this service is appended to, e.g. https://hooks.slack.com.';
$string['calls24h'] = 'Calls (24 h)';
$string['callcounts'] = '{$a->calls} ({$a->successes} ok, {$a->failures} failed)';
$string['cachedef_ruleevents'] = 'Events with an enabled Integration Hub rule';
$string['cb_cooldown'] = 'Cooldown (seconds)';
$string['cb_cooldown_help'] = 'How long an open circuit refuses calls before it lets a probe through.';
$string['cb_failure_rate'] = 'Failure rate (%)';
$string['cb_failure_rate_help'] = 'Rate mode: the circuit opens when at least this percentage of the calls in the window fail.';
$string['cb_failure_statuses'] = 'Statuses that count as failures';
$string['cb_failure_statuses_help'] = 'HTTP statuses the circuit breaker counts as failures, separated by commas; classes such as 5xx are allowed. Connection errors and timeouts always count.';
$string['cb_failure_threshold'] = 'Threshold';
$string['cb_failure_threshold_help'] = 'Count mode: the circuit opens after this many failures in a row within the window.';
$string['cb_halfopen_probes'] = 'Half-open probes';
$string['cb_halfopen_probes_help'] = 'How many calls may test the service, host-wide, after the cooldown. A success closes the circuit, a failure opens it again.';
$string['cb_min_calls'] = 'Minimum calls';
$string['cb_min_calls_help'] = 'Rate mode: the failure rate is only judged once the window holds at least this many calls.';
$string['cb_mode'] = 'Circuit breaker mode';
$string['cb_mode_help'] = 'Count: open after a number of failures in a row. Rate: open when a percentage of recent calls fail.';
$string['cb_window'] = 'Window (seconds)';
$string['cb_window_help'] = 'The period in which failures are counted.';
$string['cbmodecount'] = 'Failures in a row';
$string['cbmoderate'] = 'Failure rate';
$string['chartcalls'] = 'Calls in the last 24 hours';
$string['chartlatency'] = 'Latency in the last 24 hours (ms)';
$string['chooseevent'] = 'Choose an event';
$string['circuit'] = 'Circuit';
$string['circuit_closed'] = 'Closed';
$string['circuit_half_open'] = 'Half-open';
$string['circuit_open'] = 'Open';
$string['circuitsreset'] = 'Every circuit of this site is closed again.';
$string['circuitreset'] = 'The circuit of "{$a}" is closed again.';
$string['cliextensionmissing'] = 'The mih PHP extension is not loaded in this PHP (php -m | grep mih).';
$string['clipurged'] = '{$a} dead letters deleted.';
$string['clireplayed'] = 'Dead letter {$a->id} queued again as task {$a->taskid}.';
$string['clireplayedall'] = '{$a} dead letters queued again.';
$string['confirmdeleterule'] = 'Delete the rule that sends {$a->eventname} to {$a->service}?';
$string['confirmdeleteservice'] = 'Delete the service "{$a}"? Its request log is kept; a service still used by rules, tasks or dead letters cannot be deleted.';
$string['confirmpurge'] = 'Delete every dead letter? Their payloads are lost.';
$string['confirmreplayall'] = 'Queue every dead letter again?';
$string['connect_timeout'] = 'Connect timeout (seconds)';
$string['connect_timeout_help'] = 'The longest wait for the connection itself. Default: the timeout, at most 10 seconds.';
$string['dashboard'] = 'Dashboard';
$string['deaddeleted'] = 'Dead letter {$a} deleted.';
$string['deadnotfound'] = 'There is no dead letter {$a}.';
$string['deadpayload'] = 'Dead letter {$a}';
$string['disabled'] = 'Disabled';
$string['dlq'] = 'Dead letter queue';
$string['dlq_desc'] = 'Deliveries that failed for good: too many attempts, a 4xx answer, or a blocked destination. Replay queues the same bytes again with a fresh attempt budget.';
$string['dlqsize'] = 'Dead letters';
$string['editrule'] = 'Edit rule';
$string['editservice'] = 'Edit service';
$string['emitfailed'] = 'Integration Hub could not queue the deliveries of {$a->eventname}: {$a->error}';
$string['enabled'] = 'Enabled';
$string['endpoint'] = 'Endpoint path';
$string['endpoint_help'] = 'The path after the service\'s base URL, e.g. /services/T000/B000/XXXX. It is a template too: {{objectid}} inserts a value, percent-encoded.';
$string['environmentmih'] = 'The mih PHP extension must be installed and loaded: Integration Hub runs on it.';
$string['err_headers'] = 'One header per line, as "Name: value".';
$string['err_integer'] = 'A whole number, please.';
$string['err_number'] = 'A number of zero or more, please.';
$string['error'] = 'Error';
$string['event'] = 'Event';
$string['event_help'] = 'The Moodle event that triggers this rule.';
$string['eventdata'] = 'Event data';
$string['eventfield_ip'] = 'added by the hub: the IP address of the request that triggered the event (empty in cron and CLI scripts).';
$string['eventfield_other'] = 'values of the event\'s "other" data, reached with dots.';
$string['eventfield_username'] = 'added by the hub: the user name of the event\'s user (from other.username, else the user record).';
$string['eventfields'] = 'Fields a template can use';
$string['eventfields_desc'] = 'Templates are Mustache. They see the event data of Moodle, plus two fields the hub adds (not for anonymous events):';
$string['eventfields_json'] = 'Inside a JSON string a tag inserts escaped text; in value position it inserts the typed value (number, true/false, null, quoted string). An empty template sends the whole event data as JSON.';
$string['extensionloaded'] = 'mih extension {$a} loaded.';
$string['extensionmissing'] = 'The mih PHP extension is not loaded: Integration Hub cannot run. Install it and add "extension=mih" to the PHP configuration of the web server and of cron.';
$string['extensionstatus'] = 'mih extension';
$string['failedat'] = 'Failed at';
$string['failures'] = 'Failures';
$string['follow_redirects'] = 'Follow redirects';
$string['generatesecret'] = 'New signing secret';
$string['generatesecret_first'] = 'Generate a signing secret: deliveries get Standard Webhooks signatures.';
$string['generatesecret_rotate'] = 'Generate another secret (rotation: deliveries are signed with every secret until you remove the old one).';
$string['headers'] = 'Extra headers';
$string['headers_help'] = 'One header per line, as "Name: value". They are sent with every call.';
$string['id'] = 'ID';
$string['idempotencykey'] = 'Idempotency key';
$string['invalidaction'] = 'Unknown action "{$a}".';
$string['invalidcurlsetting'] = 'Integration Hub ignores the entry "{$a}" of curlsecurityblockedhosts or curlsecurityallowedport: it is not a host, address, range or port.';
$string['lasterror'] = 'Last error';
$string['latency'] = 'Latency';
$string['latencyp50'] = 'Median (ms)';
$string['latencyp95'] = '95th percentile (ms)';
$string['latencyvalues'] = 'p50 {$a->p50} ms, p95 {$a->p95} ms';
$string['max_attempts'] = 'Max attempts';
$string['max_attempts_help'] = 'Queued deliveries: after this many failed attempts the task moves to the dead letter queue.';
$string['max_retries'] = 'Retries per call';
$string['max_retries_help'] = 'Retries within one synchronous call, for connection errors, timeouts and the retry statuses.';
$string['method'] = 'Method';
$string['newsecret'] = 'New signing secret, shown only this once. Configure it at the receiver now: {$a}';
$string['nextrun'] = 'Next run';
$string['nodead'] = 'The dead letter queue is empty.';
$string['norules'] = 'No rules yet.';
$string['noservices'] = 'No services yet.';
$string['notasks'] = 'Nothing is queued.';
$string['opencircuits'] = 'Open circuits';
$string['payload'] = 'Payload';
$string['payloadtemplate'] = 'Payload template';
$string['payloadtemplate_help'] = 'A Mustache template that must render to JSON, e.g. {"text": "User {{username}} just logged in from IP {{ip}}!"}. Leave empty to send the whole event data.';
$string['pluginname'] = 'Integration Hub';
$string['preview'] = 'Preview';
$string['previewchooseevent'] = 'Choose an event to preview the payload.';
$string['previewrefresh'] = 'Refresh preview';
$string['privacy:metadata:dlq'] = 'Deliveries that failed for good, kept until an administrator replays or deletes them.';
$string['privacy:metadata:dlq:eventdata'] = 'The event data the payload was rendered from.';
$string['privacy:metadata:dlq:eventname'] = 'The event that triggered the delivery.';
$string['privacy:metadata:dlq:payload'] = 'The payload that could not be delivered; it may hold a user\'s id, user name and IP address.';
$string['privacy:metadata:dlq:response'] = 'The start of the last answer of the external service.';
$string['privacy:metadata:dlq:timecreated'] = 'When the delivery failed for good.';
$string['privacy:metadata:externalservices'] = 'Rules send data about Moodle events to the external services an administrator configured.';
$string['privacy:metadata:externalservices:ip'] = 'The IP address of the request that triggered the event.';
$string['privacy:metadata:externalservices:other'] = 'Further data of the event, such as a user name.';
$string['privacy:metadata:externalservices:relateduserid'] = 'The id of a user the event is about.';
$string['privacy:metadata:externalservices:timecreated'] = 'When the event happened.';
$string['privacy:metadata:externalservices:userid'] = 'The id of the user who triggered the event.';
$string['privacy:metadata:externalservices:username'] = 'The user name of the user who triggered the event.';
$string['privacy:metadata:log'] = 'A log of the calls made to external services, pruned by age and size.';
$string['privacy:metadata:log:endpoint'] = 'The path that was called, which may hold values of the event.';
$string['privacy:metadata:log:error_message'] = 'The error of a failed call.';
$string['privacy:metadata:log:timecreated'] = 'When the call was made.';
$string['privacy:metadata:queue'] = 'Deliveries waiting to be sent.';
$string['privacy:metadata:queue:eventdata'] = 'The event data the payload was rendered from.';
$string['privacy:metadata:queue:eventname'] = 'The event that triggered the delivery.';
$string['privacy:metadata:queue:payload'] = 'The payload to send; it may hold a user\'s id, user name and IP address.';
$string['privacy:metadata:queue:timecreated'] = 'When the delivery was queued.';
$string['purge'] = 'Purge';
$string['purged'] = '{$a} dead letters deleted.';
$string['queue'] = 'Queue';
$string['queue_backoff'] = 'Retry delay (seconds)';
$string['queue_backoff_help'] = 'Queued deliveries: the first wait before a retry; it doubles with each failure, with random jitter.';
$string['queue_backoff_cap'] = 'Longest retry delay (seconds)';
$string['queue_backoff_cap_help'] = 'Queued deliveries: the retry delay never grows beyond this.';
$string['queuedepth'] = 'Queued tasks';
$string['queuetimelimit'] = 'Queue run time limit';
$string['queuetimelimit_desc'] = 'Seconds one run of the scheduled task may deliver for. The task runs every minute.';
$string['recenterrors'] = 'Recent errors';
$string['removesecret'] = 'Remove {$a}';
$string['replay'] = 'Replay';
$string['replayall'] = 'Replay all';
$string['replayed'] = 'Dead letter {$a->id} queued again as task {$a->taskid}.';
$string['replayedall'] = '{$a} dead letters queued again.';
$string['request'] = 'Request';
$string['resetcircuit'] = 'Reset circuit';
$string['resilience'] = 'Resilience settings';
$string['response'] = 'Response';
$string['retry_backoff'] = 'Retry backoff (seconds)';
$string['retry_backoff_help'] = 'Synchronous calls: the base of the exponential backoff between retries.';
$string['retry_cap'] = 'Retry backoff cap (seconds)';
$string['retry_cap_help'] = 'Synchronous calls: the longest wait between two retries.';
$string['retry_statuses'] = 'Statuses worth a retry';
$string['retry_statuses_help'] = 'HTTP statuses after which a call is retried, separated by commas; classes such as 5xx are allowed.';
$string['retryafter'] = 'Probe in {$a} s';
$string['retrynow'] = 'Retry now';
$string['ruledeleted'] = 'Rule deleted.';
$string['ruledisabled'] = 'Rule disabled.';
$string['ruleenabled'] = 'Rule enabled.';
$string['rulenotfound'] = 'There is no rule {$a}.';
$string['rules'] = 'Rules';
$string['rulesaved'] = 'Rule saved.';
$string['runqueueresult'] = 'Integration Hub queue: {$a->delivered} delivered, {$a->retried} to retry, {$a->dead} to the dead letter queue, {$a->parked} parked, in {$a->seconds} s.';
$string['sampledata'] = 'Sample data of the event';
$string['secretkept'] = 'Stored: {$a}';
$string['secretn'] = 'Secret {$a}';
$string['secretsrotated'] = 'Secrets re-encrypted under the current key: {$a}.';
$string['service'] = 'Service';
$string['servicedeleted'] = 'Service "{$a}" deleted.';
$string['serviceexists'] = 'A service named "{$a}" already exists.';
$string['servicegeneral'] = 'Service';
$string['servicename'] = 'Name';
$string['servicename_help'] = 'The name rules and plugins use to address this service, e.g. in mih::request(\'Slack Notifications\', ...). It cannot be changed later.';
$string['servicenotfound'] = 'There is no service "{$a}".';
$string['services'] = 'Services';
$string['servicesaved'] = 'Service "{$a}" saved.';
$string['settings'] = 'Settings';
$string['signed'] = 'Signed';
$string['signing'] = 'Signing secrets';
$string['signing_desc'] = 'With a secret, every delivery carries webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks). Secrets are never shown back in full.';
$string['status'] = 'Status';
$string['status_parked'] = 'Parked (circuit open or service disabled)';
$string['status_pending'] = 'Pending';
$string['status_retrying'] = 'Failed (retry)';
$string['status_running'] = 'Running';
$string['successes'] = 'Successes';
$string['taskdeleted'] = 'Task {$a} deleted.';
$string['tasknotfound'] = 'There is no task {$a}.';
$string['taskpayload'] = 'Task {$a}';
$string['taskretried'] = 'Task {$a} will run at the next queue run.';
$string['taskrunqueue'] = 'Deliver queued Integration Hub webhooks';
$string['tasks'] = 'Tasks';
$string['templateerror_endpoint'] = 'Endpoint: {$a}';
$string['templateerror_payload_template'] = 'Payload template: {$a}';
$string['timeout'] = 'Timeout (seconds)';
$string['timeout_help'] = 'The longest a single attempt may take.';
$string['transport'] = 'Transport';
$string['upgradeamqp'] = 'Integration Hub: service "{$a}" uses a transport other than HTTP, which the mih extension does not offer; it has been disabled.';
$string['upgradeadhoc'] = 'Integration Hub: {$a} pending deliveries of the previous plugin moved to the new queue.';
$string['upgradetemplate'] = 'Integration Hub: the template of rule {$a->id} ({$a->eventname}) does not compile and the rule has been disabled: {$a->error}';
$string['viewpayload'] = 'View payload';
$string['wholeeventdata'] = '(the whole event data)';
$string['local/integrationhub:manage'] = 'Manage Integration Hub services, rules and deliveries';
$string['local/integrationhub:view'] = 'View Integration Hub services, rules and deliveries';
