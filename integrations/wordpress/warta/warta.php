<?php
/**
 * Plugin Name:       Warta
 * Plugin URI:        https://github.com/warta-news/warta
 * Description:       Sends published posts to Warta, which syndicates them as RSS, Atom and JSON feeds. Deliveries are queued and retried, never blocking the editor.
 * Version:           0.1.0
 * Requires at least: 5.6
 * Requires PHP:      7.4
 * Author:            Warta
 * License:           Apache-2.0
 * License URI:       https://www.apache.org/licenses/LICENSE-2.0
 * Text Domain:       warta
 *
 * @package Warta
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'WARTA_PLUGIN_VERSION', '0.1.0' );
define( 'WARTA_PLUGIN_FILE', __FILE__ );

require_once __DIR__ . '/includes/class-warta-settings.php';
require_once __DIR__ . '/includes/class-warta-article.php';
require_once __DIR__ . '/includes/class-warta-client.php';
require_once __DIR__ . '/includes/class-warta-queue.php';
require_once __DIR__ . '/includes/class-warta-hooks.php';
require_once __DIR__ . '/includes/class-warta-admin.php';
require_once __DIR__ . '/includes/class-warta-site-health.php';

register_activation_hook( __FILE__, array( 'Warta_Queue', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'Warta_Queue', 'deactivate' ) );

Warta_Queue::register();
Warta_Hooks::register();
Warta_Site_Health::register();
if ( is_admin() ) {
	Warta_Admin::register();
}

/**
 * Makes every queued or failed delivery due now and schedules the queue runner: what "Retry now"
 * in Settings → Warta does. Returns how many deliveries were made due.
 *
 * @return int
 */
function warta_retry_now() {
	return Warta_Queue::retry_now();
}
