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
 * Spanish strings of local_integrationhub (strings not listed fall back to English).
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['addrule'] = 'Añadir regla';
$string['addservice'] = 'Añadir servicio';
$string['addservicefirst'] = 'Añada primero un servicio: una regla envía su evento a un servicio.';
$string['allstatuses'] = 'Todos los estados';
$string['apikeyheader'] = 'Cabecera de la clave API';
$string['authapikey'] = 'Cabecera de la clave API';
$string['authbasic'] = 'Básica (usuario:contraseña)';
$string['authbearer'] = 'Token Bearer';
$string['authentication'] = 'Autenticación';
$string['authnone'] = 'Ninguna';
$string['authtoken'] = 'Token o credenciales';
$string['authtoken_help'] = 'El token Bearer, la clave API o "usuario:contraseña" para la autenticación básica. Déjelo vacío para conservar el valor guardado; nunca se vuelve a mostrar completo.';
$string['authtype'] = 'Tipo de autenticación';
$string['baseurl'] = 'URL base';
$string['baseurl_help'] = 'La dirección http o https a la que se añade cada ruta de este servicio, p. ej. https://hooks.slack.com.';
$string['calls24h'] = 'Llamadas (24 h)';
$string['callcounts'] = '{$a->calls} ({$a->successes} correctas, {$a->failures} fallidas)';
$string['cachedef_ruleevents'] = 'Eventos con una regla de Integration Hub activada';
$string['cb_cooldown'] = 'Enfriamiento (segundos)';
$string['cb_cooldown_help'] = 'Cuánto tiempo rechaza llamadas un circuito abierto antes de dejar pasar una llamada de prueba.';
$string['cb_failure_rate'] = 'Tasa de fallos (%)';
$string['cb_failure_rate_help'] = 'Modo tasa: el circuito se abre cuando falla al menos este porcentaje de las llamadas de la ventana.';
$string['cb_failure_statuses'] = 'Estados que cuentan como fallos';
$string['cb_failure_statuses_help'] = 'Códigos de estado HTTP que el disyuntor cuenta como fallos, separados por comas; se admiten clases como 5xx. Los errores de conexión y los tiempos de espera agotados siempre cuentan.';
$string['cb_failure_threshold'] = 'Umbral';
$string['cb_failure_threshold_help'] = 'Modo recuento: el circuito se abre tras este número de fallos consecutivos dentro de la ventana.';
$string['cb_halfopen_probes'] = 'Llamadas de prueba en semiabierto';
$string['cb_halfopen_probes_help'] = 'Cuántas llamadas pueden probar el servicio, en todo el servidor, tras el enfriamiento. Un éxito cierra el circuito; un fallo lo vuelve a abrir.';
$string['cb_min_calls'] = 'Mínimo de llamadas';
$string['cb_min_calls_help'] = 'Modo tasa: la tasa de fallos solo se evalúa cuando la ventana contiene al menos este número de llamadas.';
$string['cb_mode'] = 'Modo del disyuntor';
$string['cb_mode_help'] = 'Recuento: se abre tras un número de fallos consecutivos. Tasa: se abre cuando falla un porcentaje de las llamadas recientes.';
$string['cb_window'] = 'Ventana (segundos)';
$string['cb_window_help'] = 'El periodo en el que se cuentan los fallos.';
$string['cbmodecount'] = 'Fallos consecutivos';
$string['cbmoderate'] = 'Tasa de fallos';
$string['chartcalls'] = 'Llamadas en las últimas 24 horas';
$string['chartlatency'] = 'Latencia en las últimas 24 horas (ms)';
$string['chooseevent'] = 'Elija un evento';
$string['circuit'] = 'Circuito';
$string['circuit_closed'] = 'Cerrado';
$string['circuit_half_open'] = 'Semiabierto';
$string['circuit_open'] = 'Abierto';
$string['circuitsreset'] = 'Todos los circuitos del sitio vuelven a estar cerrados.';
$string['circuitreset'] = 'El circuito de "{$a}" vuelve a estar cerrado.';
$string['cliextensionmissing'] = 'La extensión PHP mih no está cargada en este PHP (php -m | grep mih).';
$string['clipurged'] = '{$a} mensajes fallidos eliminados.';
$string['clireplayed'] = 'Mensaje fallido {$a->id} encolado de nuevo como tarea {$a->taskid}.';
$string['clireplayedall'] = '{$a} mensajes fallidos encolados de nuevo.';
$string['confirmdeleterule'] = '¿Eliminar la regla que envía {$a->eventname} a {$a->service}?';
$string['confirmdeleteservice'] = '¿Eliminar el servicio "{$a}"? Su registro de peticiones se conserva; un servicio que aún usan reglas, tareas o mensajes fallidos no se puede eliminar.';
$string['confirmpurge'] = '¿Eliminar todos los mensajes fallidos? Sus cargas se perderán.';
$string['confirmreplayall'] = '¿Volver a encolar todos los mensajes fallidos?';
$string['connect_timeout'] = 'Tiempo de espera de conexión (segundos)';
$string['connect_timeout_help'] = 'La espera máxima para establecer la conexión. Por defecto: el tiempo de espera, como máximo 10 segundos.';
$string['dashboard'] = 'Panel';
$string['deaddeleted'] = 'Mensaje fallido {$a} eliminado.';
$string['deadnotfound'] = 'No existe el mensaje fallido {$a}.';
$string['deadpayload'] = 'Mensaje fallido {$a}';
$string['disabled'] = 'Desactivado';
$string['dlq'] = 'Cola de mensajes fallidos (DLQ)';
$string['dlq_desc'] = 'Entregas que fallaron definitivamente: demasiados intentos, una respuesta 4xx o un destino bloqueado. Reenviar vuelve a encolar los mismos bytes con un nuevo cupo de intentos.';
$string['dlqsize'] = 'Mensajes fallidos';
$string['editrule'] = 'Editar regla';
$string['editservice'] = 'Editar servicio';
$string['emitfailed'] = 'Integration Hub no pudo encolar las entregas de {$a->eventname}: {$a->error}';
$string['enabled'] = 'Activado';
$string['endpoint'] = 'Ruta del endpoint';
$string['endpoint_help'] = 'La ruta que sigue a la URL base del servicio, p. ej. /services/T000/B000/XXXX. También es una plantilla: {{objectid}} inserta un valor con codificación porcentual.';
$string['environmentmih'] = 'La extensión PHP mih debe estar instalada y cargada: Integration Hub funciona sobre ella.';
$string['err_headers'] = 'Una cabecera por línea, con el formato "Nombre: valor".';
$string['err_integer'] = 'Introduzca un número entero.';
$string['err_number'] = 'Introduzca un número igual o mayor que cero.';
$string['error'] = 'Error';
$string['event'] = 'Evento';
$string['event_help'] = 'El evento de Moodle que dispara esta regla.';
$string['eventdata'] = 'Datos del evento';
$string['eventfield_ip'] = 'añadido por el hub: la dirección IP de la petición que disparó el evento (vacío en cron y scripts CLI).';
$string['eventfield_other'] = 'valores de los datos "other" del evento, accesibles con puntos.';
$string['eventfield_username'] = 'añadido por el hub: el nombre de usuario del usuario del evento (de other.username o del registro del usuario).';
$string['eventfields'] = 'Campos que puede usar una plantilla';
$string['eventfields_desc'] = 'Las plantillas son Mustache. Ven los datos del evento de Moodle y dos campos que añade el hub (no en eventos anónimos):';
$string['eventfields_json'] = 'Dentro de una cadena JSON, una etiqueta inserta texto escapado; en posición de valor inserta el valor con su tipo (número, true/false, null, cadena entre comillas). Una plantilla vacía envía todos los datos del evento como JSON.';
$string['extensionloaded'] = 'Extensión mih {$a} cargada.';
$string['extensionmissing'] = 'La extensión PHP mih no está cargada: Integration Hub no puede funcionar. Instálela y añada "extension=mih" a la configuración PHP del servidor web y del cron.';
$string['extensionstatus'] = 'Extensión mih';
$string['failedat'] = 'Falló el';
$string['failures'] = 'Fallos';
$string['follow_redirects'] = 'Seguir redirecciones';
$string['generatesecret'] = 'Nuevo secreto de firma';
$string['generatesecret_first'] = 'Generar un secreto de firma: las entregas llevarán firmas Standard Webhooks.';
$string['generatesecret_rotate'] = 'Generar otro secreto (rotación: las entregas se firman con todos los secretos hasta que elimine el antiguo).';
$string['headers'] = 'Cabeceras adicionales';
$string['headers_help'] = 'Una cabecera por línea, con el formato "Nombre: valor". Se envían con cada llamada.';
$string['id'] = 'ID';
$string['idempotencykey'] = 'Clave de idempotencia';
$string['invalidaction'] = 'Acción desconocida "{$a}".';
$string['invalidcurlsetting'] = 'Integration Hub ignora la entrada "{$a}" de curlsecurityblockedhosts o curlsecurityallowedport: no es un host, una dirección, un rango ni un puerto.';
$string['lasterror'] = 'Último error';
$string['latency'] = 'Latencia';
$string['latencyp50'] = 'Mediana (ms)';
$string['latencyp95'] = 'Percentil 95 (ms)';
$string['latencyvalues'] = 'p50 {$a->p50} ms, p95 {$a->p95} ms';
$string['max_attempts'] = 'Intentos máximos';
$string['max_attempts_help'] = 'Entregas en cola: tras este número de intentos fallidos, la tarea pasa a la cola de mensajes fallidos.';
$string['max_retries'] = 'Reintentos por llamada';
$string['max_retries_help'] = 'Reintentos dentro de una misma llamada síncrona, para errores de conexión, tiempos de espera agotados y los estados de reintento.';
$string['method'] = 'Método';
$string['newsecret'] = 'Nuevo secreto de firma, se muestra solo esta vez. Configúrelo ahora en el receptor: {$a}';
$string['nextrun'] = 'Próxima ejecución';
$string['nodead'] = 'La cola de mensajes fallidos está vacía.';
$string['norules'] = 'Aún no hay reglas.';
$string['noservices'] = 'Aún no hay servicios.';
$string['notasks'] = 'No hay nada en cola.';
$string['opencircuits'] = 'Circuitos abiertos';
$string['payload'] = 'Carga';
$string['payloadtemplate'] = 'Plantilla de la carga';
$string['payloadtemplate_help'] = 'Una plantilla Mustache que debe generar JSON, p. ej. {"text": "User {{username}} just logged in from IP {{ip}}!"}. Déjela vacía para enviar todos los datos del evento.';
$string['pluginname'] = 'Integration Hub';
$string['preview'] = 'Vista previa';
$string['previewchooseevent'] = 'Elija un evento para ver la vista previa de la carga.';
$string['previewrefresh'] = 'Actualizar vista previa';
$string['privacy:metadata:dlq'] = 'Entregas que fallaron definitivamente, conservadas hasta que un administrador las reenvíe o las elimine.';
$string['privacy:metadata:dlq:eventdata'] = 'Los datos del evento a partir de los cuales se generó la carga.';
$string['privacy:metadata:dlq:eventname'] = 'El evento que disparó la entrega.';
$string['privacy:metadata:dlq:payload'] = 'La carga que no se pudo entregar; puede contener el id, el nombre de usuario y la dirección IP de un usuario.';
$string['privacy:metadata:dlq:response'] = 'El comienzo de la última respuesta del servicio externo.';
$string['privacy:metadata:dlq:timecreated'] = 'Cuándo falló definitivamente la entrega.';
$string['privacy:metadata:externalservices'] = 'Las reglas envían datos sobre eventos de Moodle a los servicios externos que haya configurado un administrador.';
$string['privacy:metadata:externalservices:ip'] = 'La dirección IP de la petición que disparó el evento.';
$string['privacy:metadata:externalservices:other'] = 'Otros datos del evento, como un nombre de usuario.';
$string['privacy:metadata:externalservices:relateduserid'] = 'El id de un usuario al que se refiere el evento.';
$string['privacy:metadata:externalservices:timecreated'] = 'Cuándo ocurrió el evento.';
$string['privacy:metadata:externalservices:userid'] = 'El id del usuario que disparó el evento.';
$string['privacy:metadata:externalservices:username'] = 'El nombre de usuario del usuario que disparó el evento.';
$string['privacy:metadata:log'] = 'Un registro de las llamadas realizadas a servicios externos, depurado según su antigüedad y tamaño.';
$string['privacy:metadata:log:endpoint'] = 'La ruta a la que se llamó, que puede contener valores del evento.';
$string['privacy:metadata:log:error_message'] = 'El error de una llamada fallida.';
$string['privacy:metadata:log:timecreated'] = 'Cuándo se realizó la llamada.';
$string['privacy:metadata:queue'] = 'Entregas pendientes de envío.';
$string['privacy:metadata:queue:eventdata'] = 'Los datos del evento a partir de los cuales se generó la carga.';
$string['privacy:metadata:queue:eventname'] = 'El evento que disparó la entrega.';
$string['privacy:metadata:queue:payload'] = 'La carga que se va a enviar; puede contener el id, el nombre de usuario y la dirección IP de un usuario.';
$string['privacy:metadata:queue:timecreated'] = 'Cuándo se puso en cola la entrega.';
$string['purge'] = 'Vaciar';
$string['purged'] = '{$a} mensajes fallidos eliminados.';
$string['queue'] = 'Cola';
$string['queue_backoff'] = 'Retraso de reintento (segundos)';
$string['queue_backoff_help'] = 'Entregas en cola: la primera espera antes de un reintento; se duplica con cada fallo, con una variación aleatoria.';
$string['queue_backoff_cap'] = 'Retraso máximo de reintento (segundos)';
$string['queue_backoff_cap_help'] = 'Entregas en cola: el retraso de reintento nunca supera este valor.';
$string['queuedepth'] = 'Tareas en cola';
$string['queuetimelimit'] = 'Límite de tiempo de ejecución de la cola';
$string['queuetimelimit_desc'] = 'Segundos durante los que una ejecución de la tarea programada puede realizar entregas. La tarea se ejecuta cada minuto.';
$string['recenterrors'] = 'Errores recientes';
$string['removesecret'] = 'Eliminar {$a}';
$string['replay'] = 'Reenviar';
$string['replayall'] = 'Reenviar todo';
$string['replayed'] = 'Mensaje fallido {$a->id} encolado de nuevo como tarea {$a->taskid}.';
$string['replayedall'] = '{$a} mensajes fallidos encolados de nuevo.';
$string['request'] = 'Petición';
$string['resetcircuit'] = 'Restablecer circuito';
$string['resilience'] = 'Ajustes de resiliencia';
$string['response'] = 'Respuesta';
$string['retry_backoff'] = 'Espera entre reintentos (segundos)';
$string['retry_backoff_help'] = 'Llamadas síncronas: la base de la espera exponencial entre reintentos.';
$string['retry_cap'] = 'Espera máxima entre reintentos (segundos)';
$string['retry_cap_help'] = 'Llamadas síncronas: la espera más larga entre dos reintentos.';
$string['retry_statuses'] = 'Estados que merecen un reintento';
$string['retry_statuses_help'] = 'Códigos de estado HTTP tras los que se reintenta una llamada, separados por comas; se admiten clases como 5xx.';
$string['retryafter'] = 'Prueba en {$a} s';
$string['retrynow'] = 'Reintentar ahora';
$string['ruledeleted'] = 'Regla eliminada.';
$string['ruledisabled'] = 'Regla desactivada.';
$string['ruleenabled'] = 'Regla activada.';
$string['rulenotfound'] = 'No existe la regla {$a}.';
$string['rules'] = 'Reglas';
$string['rulesaved'] = 'Regla guardada.';
$string['runqueueresult'] = 'Cola de Integration Hub: {$a->delivered} entregadas, {$a->retried} para reintentar, {$a->dead} a la cola de fallidos, {$a->parked} aparcadas, en {$a->seconds} s.';
$string['sampledata'] = 'Datos de ejemplo del evento';
$string['secretkept'] = 'Guardado: {$a}';
$string['secretn'] = 'Secreto {$a}';
$string['secretsrotated'] = 'Secretos cifrados de nuevo con la clave actual: {$a}.';
$string['service'] = 'Servicio';
$string['servicedeleted'] = 'Servicio "{$a}" eliminado.';
$string['serviceexists'] = 'Ya existe un servicio llamado "{$a}".';
$string['servicegeneral'] = 'Servicio';
$string['servicename'] = 'Nombre';
$string['servicename_help'] = 'El nombre que usan las reglas y los plugins para dirigirse a este servicio, p. ej. en mih::request(\'Slack Notifications\', ...). No se puede cambiar más adelante.';
$string['servicenotfound'] = 'No existe el servicio "{$a}".';
$string['services'] = 'Servicios';
$string['servicesaved'] = 'Servicio "{$a}" guardado.';
$string['settings'] = 'Ajustes';
$string['signed'] = 'Firmado';
$string['signing'] = 'Secretos de firma';
$string['signing_desc'] = 'Con un secreto, cada entrega lleva las cabeceras webhook-id, webhook-timestamp y webhook-signature (Standard Webhooks). Los secretos nunca se vuelven a mostrar completos.';
$string['status'] = 'Estado';
$string['status_parked'] = 'Aparcada (circuito abierto o servicio desactivado)';
$string['status_pending'] = 'Pendiente';
$string['status_retrying'] = 'Fallida (reintento)';
$string['status_running'] = 'En ejecución';
$string['successes'] = 'Correctas';
$string['taskdeleted'] = 'Tarea {$a} eliminada.';
$string['tasknotfound'] = 'No existe la tarea {$a}.';
$string['taskpayload'] = 'Tarea {$a}';
$string['taskretried'] = 'La tarea {$a} se ejecutará en la próxima ejecución de la cola.';
$string['taskrunqueue'] = 'Entregar los webhooks en cola de Integration Hub';
$string['tasks'] = 'Tareas';
$string['templateerror_endpoint'] = 'Endpoint: {$a}';
$string['templateerror_payload_template'] = 'Plantilla de la carga: {$a}';
$string['timeout'] = 'Tiempo de espera (segundos)';
$string['timeout_help'] = 'El tiempo máximo que puede durar un único intento.';
$string['transport'] = 'Transporte';
$string['upgradeamqp'] = 'Integration Hub: el servicio "{$a}" usa un transporte distinto de HTTP, que la extensión mih no ofrece; se ha desactivado.';
$string['upgradeadhoc'] = 'Integration Hub: {$a} entregas pendientes del plugin anterior se han trasladado a la nueva cola.';
$string['upgradetemplate'] = 'Integration Hub: la plantilla de la regla {$a->id} ({$a->eventname}) no compila y la regla se ha desactivado: {$a->error}';
$string['viewpayload'] = 'Ver carga';
$string['wholeeventdata'] = '(todos los datos del evento)';
$string['local/integrationhub:manage'] = 'Gestionar servicios, reglas y entregas de Integration Hub';
$string['local/integrationhub:view'] = 'Ver servicios, reglas y entregas de Integration Hub';
