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
$string['authentication'] = 'Autenticación';
$string['authnone'] = 'Ninguna';
$string['authtoken'] = 'Token o credenciales';
$string['authtype'] = 'Tipo de autenticación';
$string['baseurl'] = 'URL base';
$string['calls24h'] = 'Llamadas (24 h)';
$string['callcounts'] = '{$a->calls} ({$a->successes} correctas, {$a->failures} fallidas)';
$string['cb_cooldown'] = 'Enfriamiento (segundos)';
$string['cb_failure_threshold'] = 'Umbral';
$string['cb_window'] = 'Ventana (segundos)';
$string['circuit'] = 'Circuito';
$string['circuit_closed'] = 'Cerrado';
$string['circuit_half_open'] = 'Semiabierto';
$string['circuit_open'] = 'Abierto';
$string['circuitreset'] = 'El circuito de "{$a}" vuelve a estar cerrado.';
$string['circuitsreset'] = 'Todos los circuitos del sitio vuelven a estar cerrados.';
$string['confirmdeleterule'] = '¿Eliminar la regla que envía {$a->eventname} a {$a->service}?';
$string['confirmdeleteservice'] = '¿Eliminar el servicio "{$a}"? Un servicio que aún usan reglas, tareas o mensajes fallidos no se puede eliminar.';
$string['confirmpurge'] = '¿Eliminar todos los mensajes fallidos? Sus cargas se perderán.';
$string['confirmreplayall'] = '¿Volver a encolar todos los mensajes fallidos?';
$string['dashboard'] = 'Panel';
$string['deaddeleted'] = 'Mensaje fallido {$a} eliminado.';
$string['disabled'] = 'Desactivado';
$string['dlq'] = 'Cola de mensajes fallidos (DLQ)';
$string['dlq_desc'] = 'Entregas que fallaron definitivamente: demasiados intentos, una respuesta 4xx o un destino bloqueado. Reenviar vuelve a encolar los mismos bytes con nuevos intentos.';
$string['dlqsize'] = 'Mensajes fallidos';
$string['editrule'] = 'Editar regla';
$string['editservice'] = 'Editar servicio';
$string['enabled'] = 'Activado';
$string['endpoint'] = 'Ruta del endpoint';
$string['environmentmih'] = 'La extensión PHP mih debe estar instalada y cargada: Integration Hub funciona sobre ella.';
$string['error'] = 'Error';
$string['event'] = 'Evento';
$string['eventfield_ip'] = 'añadido por el hub: la dirección IP de la petición que disparó el evento (vacío en cron y scripts CLI).';
$string['eventfield_other'] = 'valores de los datos "other" del evento, accesibles con puntos.';
$string['eventfield_username'] = 'añadido por el hub: el nombre de usuario del usuario del evento (de other.username o del registro del usuario).';
$string['eventfields'] = 'Campos que puede usar una plantilla';
$string['eventfields_desc'] = 'Las plantillas son Mustache. Ven los datos del evento de Moodle y dos campos que añade el hub (no en eventos anónimos):';
$string['extensionmissing'] = 'La extensión PHP mih no está cargada: Integration Hub no puede funcionar. Instálela y añada "extension=mih" a la configuración PHP del servidor web y del cron.';
$string['failedat'] = 'Falló el';
$string['failures'] = 'Fallos';
$string['generatesecret'] = 'Nuevo secreto de firma';
$string['headers'] = 'Cabeceras adicionales';
$string['lasterror'] = 'Último error';
$string['latency'] = 'Latencia';
$string['max_attempts'] = 'Intentos máximos';
$string['method'] = 'Método';
$string['newsecret'] = 'Nuevo secreto de firma, se muestra solo esta vez. Configúrelo ahora en el receptor: {$a}';
$string['nextrun'] = 'Próxima ejecución';
$string['nodead'] = 'La cola de mensajes fallidos está vacía.';
$string['norules'] = 'Aún no hay reglas.';
$string['noservices'] = 'Aún no hay servicios.';
$string['notasks'] = 'No hay nada en cola.';
$string['payload'] = 'Carga';
$string['payloadtemplate'] = 'Plantilla de la carga';
$string['pluginname'] = 'Integration Hub';
$string['preview'] = 'Vista previa';
$string['previewrefresh'] = 'Actualizar vista previa';
$string['purge'] = 'Vaciar';
$string['queue'] = 'Cola';
$string['queuedepth'] = 'Tareas en cola';
$string['recenterrors'] = 'Errores recientes';
$string['replay'] = 'Reenviar';
$string['replayall'] = 'Reenviar todo';
$string['resetcircuit'] = 'Restablecer circuito';
$string['resilience'] = 'Ajustes de resiliencia';
$string['retrynow'] = 'Reintentar ahora';
$string['rules'] = 'Reglas';
$string['rulesaved'] = 'Regla guardada.';
$string['runqueueresult'] = 'Cola de Integration Hub: {$a->delivered} entregadas, {$a->retried} para reintentar, {$a->dead} a la cola de fallidos, {$a->parked} aparcadas, en {$a->seconds} s.';
$string['service'] = 'Servicio';
$string['servicename'] = 'Nombre';
$string['services'] = 'Servicios';
$string['servicesaved'] = 'Servicio "{$a}" guardado.';
$string['settings'] = 'Ajustes';
$string['signing'] = 'Secretos de firma';
$string['status'] = 'Estado';
$string['status_parked'] = 'Aparcada (circuito abierto o servicio desactivado)';
$string['status_pending'] = 'Pendiente';
$string['status_retrying'] = 'Fallida (reintento)';
$string['status_running'] = 'En ejecución';
$string['successes'] = 'Correctas';
$string['taskrunqueue'] = 'Entregar los webhooks en cola de Integration Hub';
$string['tasks'] = 'Tareas';
$string['viewpayload'] = 'Ver carga';
$string['local/integrationhub:manage'] = 'Gestionar servicios, reglas y entregas de Integration Hub';
$string['local/integrationhub:view'] = 'Ver servicios, reglas y entregas de Integration Hub';
