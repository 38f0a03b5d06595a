<?php
/**
 * The delivery queue: a small table, drained by WP-Cron, retried with exponential backoff.
 *
 * @package Warta
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * One row per delivery. A post has at most one pending row: later changes fold into it, and what
 * is sent is always the post as it is at delivery time, so an old version never overtakes a new one.
 */
class Warta_Queue {
	const DB_VERSION        = '1';
	const DB_VERSION_OPTION = 'warta_db_version';
	const HOOK              = 'warta_deliver';
	const SWEEP_HOOK        = 'warta_deliver_sweep';
	const LOCK_OPTION       = 'warta_queue_lock';
	const DELIVERED_META    = '_warta_delivered';
	/** Retries go on for this long after the first attempt (three days), then the delivery is marked failed. */
	const GIVE_UP_AFTER = 259200;
	/** First retry after a minute, doubling, at most every six hours. */
	const FIRST_DELAY = 60;
	const MAX_DELAY   = 21600;
	/** Deliveries sent per queue run; the rest wait for the next run, scheduled at once. */
	const BATCH = 25;
	/** Rows kept for the status table. */
	const KEEP = 200;

	/**
	 * The table's name.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->prefix . 'warta_deliveries';
	}

	/**
	 * Hooks the queue runner into WP-Cron.
	 */
	public static function register() {
		add_action( self::HOOK, array( __CLASS__, 'run' ) );
		add_action( self::SWEEP_HOOK, array( __CLASS__, 'run' ) );
		add_action( 'plugins_loaded', array( __CLASS__, 'maybe_upgrade' ) );
	}

	/**
	 * Creates the table and an hourly sweep that catches anything a lost single event left behind.
	 */
	public static function activate() {
		self::create_table();
		if ( ! wp_next_scheduled( self::SWEEP_HOOK ) ) {
			wp_schedule_event( time() + HOUR_IN_SECONDS, 'hourly', self::SWEEP_HOOK );
		}
	}

	/**
	 * Stops the scheduled runs; the queue stays for when the plugin comes back.
	 */
	public static function deactivate() {
		wp_clear_scheduled_hook( self::HOOK );
		wp_clear_scheduled_hook( self::SWEEP_HOOK );
	}

	/**
	 * Creates the table when the plugin folder was updated without re-activation.
	 */
	public static function maybe_upgrade() {
		if ( get_option( self::DB_VERSION_OPTION ) !== self::DB_VERSION ) {
			self::create_table();
		}
	}

	/**
	 * Creates or updates the table with dbDelta.
	 */
	private static function create_table() {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$table   = self::table();
		$charset = $wpdb->get_charset_collate();
		dbDelta(
			"CREATE TABLE {$table} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  post_id bigint(20) unsigned NOT NULL,
  article_id varchar(128) NOT NULL,
  post_title text NOT NULL,
  reason varchar(64) NOT NULL,
  state varchar(16) NOT NULL,
  action varchar(16) NOT NULL DEFAULT '',
  attempts int(10) unsigned NOT NULL DEFAULT 0,
  queued_gmt datetime NOT NULL,
  next_attempt_gmt datetime NOT NULL,
  last_attempt_gmt datetime DEFAULT NULL,
  http_status smallint(5) unsigned DEFAULT NULL,
  message text NOT NULL,
  PRIMARY KEY  (id),
  KEY state_next (state,next_attempt_gmt),
  KEY post_state (post_id,state)
) {$charset};"
		);
		update_option( self::DB_VERSION_OPTION, self::DB_VERSION, false );
	}

	/**
	 * Queues a delivery for a post and schedules the queue runner now. Never sends.
	 *
	 * @param int    $post_id The post ID.
	 * @param string $reason  What happened, for the status table.
	 */
	public static function enqueue( $post_id, $reason ) {
		global $wpdb;
		$table = self::table();
		$now   = gmdate( 'Y-m-d H:i:s' );
		$post  = get_post( $post_id );
		$title = $post instanceof WP_Post ? Warta_Article::plain_text( get_the_title( $post ) ) : '';
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- our own table; nothing to cache.
		$pending = $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$table} WHERE post_id = %d AND state = 'pending' ORDER BY id DESC LIMIT 1", $post_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		if ( $pending ) {
			// A newer change of the same post: one delivery of the latest state, due now.
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery
			$wpdb->update(
				$table,
				array(
					'reason'           => $reason,
					'post_title'       => $title,
					'next_attempt_gmt' => $now,
				),
				array( 'id' => (int) $pending )
			);
		} else {
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery
			$wpdb->insert(
				$table,
				array(
					'post_id'          => (int) $post_id,
					'article_id'       => Warta_Article::id_for( $post_id ),
					'post_title'       => $title,
					'reason'           => $reason,
					'state'            => 'pending',
					'attempts'         => 0,
					'queued_gmt'       => $now,
					'next_attempt_gmt' => $now,
					'message'          => '',
				)
			);
		}
		self::schedule( time() );
	}

	/**
	 * Schedules the queue runner at a time (WordPress ignores a duplicate within ten minutes of an
	 * already scheduled run, which is then soon enough).
	 *
	 * @param int $timestamp Unix time.
	 */
	public static function schedule( $timestamp ) {
		$next = wp_next_scheduled( self::HOOK );
		if ( $next && $next <= $timestamp ) {
			return;
		}
		if ( $next ) {
			wp_unschedule_event( $next, self::HOOK );
		}
		wp_schedule_single_event( $timestamp, self::HOOK );
	}

	/**
	 * Makes every pending or failed delivery due now and schedules the runner.
	 *
	 * @return int How many deliveries were made due.
	 */
	public static function retry_now() {
		global $wpdb;
		$table = self::table();
		$now   = gmdate( 'Y-m-d H:i:s' );
		// A failed delivery starts a new retry period. A refusal for the signature (401) is retried too:
		// the administrator fixes the secret, then retries; other refusals need a change of the post.
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery,WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$count = (int) $wpdb->query( $wpdb->prepare( "UPDATE {$table} SET queued_gmt = IF(state = 'pending', queued_gmt, %s), state = 'pending', next_attempt_gmt = %s WHERE state IN ('pending', 'failed') OR (state = 'refused' AND http_status = 401)", $now, $now ) );
		self::schedule( time() );
		return $count;
	}

	/**
	 * The queue runner (WP-Cron): sends every due delivery, then schedules itself for the next retry.
	 */
	public static function run() {
		global $wpdb;
		if ( ! self::lock() ) {
			return; // Another runner is at it; it reschedules what is left.
		}
		$table = self::table();
		try {
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery,WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			$rows = $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$table} WHERE state = 'pending' AND next_attempt_gmt <= %s ORDER BY next_attempt_gmt, id LIMIT %d", gmdate( 'Y-m-d H:i:s' ), self::BATCH ) );
			foreach ( (array) $rows as $row ) {
				self::deliver( $row );
			}
			self::prune();
		} finally {
			self::unlock();
		}
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery,WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$next = $wpdb->get_var( "SELECT MIN(next_attempt_gmt) FROM {$table} WHERE state = 'pending'" );
		if ( $next ) {
			self::schedule( max( time(), (int) strtotime( $next . ' UTC' ) ) );
		}
	}

	/**
	 * Sends one delivery and records the outcome.
	 *
	 * @param object $row The queue row.
	 */
	private static function deliver( $row ) {
		$post     = get_post( (int) $row->post_id );
		$attempts = (int) $row->attempts + 1;
		if ( Warta_Article::is_public( $post ) ) {
			$result = Warta_Client::send_article( Warta_Article::build( $post ) );
			$action = 'publish';
		} elseif ( $post instanceof WP_Post && '' === (string) get_post_meta( $post->ID, self::DELIVERED_META, true ) ) {
			// Not public and never delivered (e.g. published with a password from the start): Warta has nothing.
			self::finish( $row, 'skipped', 'none', $attempts, null, __( 'Not public; Warta never had it, nothing sent.', 'warta' ) );
			return;
		} else {
			$result = Warta_Client::withdraw( (string) $row->article_id );
			$action = 'withdraw';
		}

		if ( 'sent' === $result['outcome'] ) {
			if ( $post instanceof WP_Post ) {
				if ( 'publish' === $action ) {
					update_post_meta( $post->ID, self::DELIVERED_META, gmdate( 'c' ) );
				} else {
					delete_post_meta( $post->ID, self::DELIVERED_META );
				}
			}
			self::finish( $row, 'sent', $action, $attempts, $result['status'], $result['message'] );
			return;
		}
		if ( 'refused' === $result['outcome'] ) {
			// Warta looked at it and said no, with reasons: sending the same again would not help.
			self::finish( $row, 'refused', $action, $attempts, $result['status'], $result['message'] );
			return;
		}
		$age = time() - (int) strtotime( $row->queued_gmt . ' UTC' );
		if ( $age >= self::GIVE_UP_AFTER ) {
			/* translators: %s: the last error. */
			self::finish( $row, 'failed', $action, $attempts, $result['status'], sprintf( __( 'Gave up after three days of retries. Last error: %s', 'warta' ), $result['message'] ) );
			return;
		}
		global $wpdb;
		$delay = (int) min( self::MAX_DELAY, self::FIRST_DELAY * pow( 2, min( 20, $attempts - 1 ) ) );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery
		$wpdb->update(
			self::table(),
			array(
				'action'           => $action,
				'attempts'         => $attempts,
				'last_attempt_gmt' => gmdate( 'Y-m-d H:i:s' ),
				'next_attempt_gmt' => gmdate( 'Y-m-d H:i:s', time() + $delay ),
				'http_status'      => $result['status'],
				'message'          => $result['message'],
			),
			array( 'id' => (int) $row->id )
		);
	}

	/**
	 * Records a delivery's final state.
	 *
	 * @param object   $row      The queue row.
	 * @param string   $state    sent, refused, failed or skipped.
	 * @param string   $action   publish, withdraw or none.
	 * @param int      $attempts Attempts so far.
	 * @param int|null $status   HTTP status.
	 * @param string   $message  What Warta answered, or the error.
	 */
	private static function finish( $row, $state, $action, $attempts, $status, $message ) {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery
		$wpdb->update(
			self::table(),
			array(
				'state'            => $state,
				'action'           => $action,
				'attempts'         => $attempts,
				'last_attempt_gmt' => gmdate( 'Y-m-d H:i:s' ),
				'http_status'      => $status,
				'message'          => $message,
			),
			array( 'id' => (int) $row->id )
		);
	}

	/**
	 * The latest deliveries, newest first.
	 *
	 * @param int $limit How many.
	 * @return object[]
	 */
	public static function latest( $limit = 20 ) {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery,WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return (array) $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$table} ORDER BY id DESC LIMIT %d", $limit ) );
	}

	/**
	 * Counts of deliveries by state, for Site Health.
	 *
	 * @return array<string,int>
	 */
	public static function counts() {
		global $wpdb;
		$table  = self::table();
		$counts = array(
			'pending'  => 0,
			'retrying' => 0,
			'failed'   => 0,
			'refused'  => 0,
		);
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery,WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$rows = (array) $wpdb->get_results( "SELECT state, attempts > 0 AS retrying, COUNT(*) AS n FROM {$table} WHERE state IN ('pending', 'failed', 'refused') GROUP BY state, attempts > 0" );
		foreach ( $rows as $row ) {
			if ( 'pending' === $row->state && (int) $row->retrying ) {
				$counts['retrying'] += (int) $row->n;
			} else {
				$counts[ $row->state ] += (int) $row->n;
			}
		}
		return $counts;
	}

	/**
	 * Refused and failed deliveries that a later successful delivery of the same post has not superseded.
	 *
	 * @return object[]
	 */
	public static function unresolved_problems() {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery,WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return (array) $wpdb->get_results( "SELECT d.* FROM {$table} d WHERE d.state IN ('failed', 'refused') AND NOT EXISTS (SELECT 1 FROM {$table} later WHERE later.post_id = d.post_id AND later.id > d.id AND later.state IN ('sent', 'skipped')) ORDER BY d.id DESC LIMIT 20" );
	}

	/**
	 * Keeps the newest rows; pending rows are never removed.
	 */
	private static function prune() {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery,WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$cutoff = $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$table} ORDER BY id DESC LIMIT 1 OFFSET %d", self::KEEP ) );
		if ( $cutoff ) {
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery,WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			$wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE id <= %d AND state <> 'pending'", (int) $cutoff ) );
		}
	}

	/**
	 * Takes the runner lock (an option row: add_option fails when it exists). A lock older than
	 * five minutes belongs to a runner that died and is taken over.
	 *
	 * @return bool
	 */
	private static function lock() {
		if ( add_option( self::LOCK_OPTION, (string) time(), '', 'no' ) ) {
			return true;
		}
		$held_since = (int) get_option( self::LOCK_OPTION );
		if ( $held_since > 0 && time() - $held_since < 5 * MINUTE_IN_SECONDS ) {
			return false;
		}
		update_option( self::LOCK_OPTION, (string) time(), false );
		return true;
	}

	/**
	 * Releases the runner lock.
	 */
	private static function unlock() {
		delete_option( self::LOCK_OPTION );
	}
}
