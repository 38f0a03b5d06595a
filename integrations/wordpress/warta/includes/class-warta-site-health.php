<?php
/**
 * Tools → Site Health: whether posts reach Warta.
 *
 * @package Warta
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * One direct Site Health test.
 */
class Warta_Site_Health {

	/**
	 * Hooks into Site Health.
	 */
	public static function register() {
		add_filter( 'site_status_tests', array( __CLASS__, 'tests' ) );
	}

	/**
	 * Adds the test.
	 *
	 * @param array $tests Site Health tests.
	 * @return array
	 */
	public static function tests( $tests ) {
		$tests['direct']['warta_delivery'] = array(
			'label' => __( 'Warta delivery', 'warta' ),
			'test'  => array( __CLASS__, 'result' ),
		);
		return $tests;
	}

	/**
	 * The test's result: critical when deliveries failed or were refused, recommended while
	 * deliveries are being retried or Warta is not configured, good otherwise.
	 *
	 * @return array
	 */
	public static function result() {
		$link   = '<p><a href="' . esc_url( admin_url( 'options-general.php?page=warta' ) ) . '">' . esc_html__( 'Settings → Warta', 'warta' ) . '</a></p>';
		$result = array(
			'label'       => __( 'Posts reach Warta', 'warta' ),
			'status'      => 'good',
			'badge'       => array(
				'label' => __( 'Warta', 'warta' ),
				'color' => 'blue',
			),
			'description' => '<p>' . esc_html__( 'Published posts are delivered to Warta\'s feeds.', 'warta' ) . '</p>',
			'actions'     => $link,
			'test'        => 'warta_delivery',
		);
		if ( ! Warta_Settings::configured() ) {
			$result['status']      = 'recommended';
			$result['label']       = __( 'Warta has no ingest URL', 'warta' );
			$result['description'] = '<p>' . esc_html__( 'Posts are not sent to Warta until an ingest URL is set.', 'warta' ) . '</p>';
			return $result;
		}
		$problems = Warta_Queue::unresolved_problems();
		$counts   = Warta_Queue::counts();
		if ( $problems ) {
			$items = '';
			foreach ( array_slice( $problems, 0, 5 ) as $row ) {
				$items .= '<li>' . esc_html( ( '' !== $row->post_title ? $row->post_title : $row->article_id ) . ' — ' . $row->state . ( $row->http_status ? ' (HTTP ' . $row->http_status . ')' : '' ) . ': ' . $row->message ) . '</li>';
			}
			$result['status']      = 'critical';
			$result['badge']['color'] = 'red';
			/* translators: %d: number of deliveries. */
			$result['label']       = sprintf( _n( '%d post did not reach Warta', '%d posts did not reach Warta', count( $problems ), 'warta' ), count( $problems ) );
			$result['description'] = '<p>' . esc_html__( 'These deliveries failed or were refused and are not retried on their own:', 'warta' ) . '</p><ul>' . $items . '</ul>';
			return $result;
		}
		if ( $counts['retrying'] > 0 ) {
			$result['status']      = 'recommended';
			$result['badge']['color'] = 'orange';
			/* translators: %d: number of deliveries. */
			$result['label']       = sprintf( _n( '%d delivery to Warta is being retried', '%d deliveries to Warta are being retried', $counts['retrying'], 'warta' ), $counts['retrying'] );
			$result['description'] = '<p>' . esc_html__( 'Warta could not be reached; WP-Cron retries with growing intervals for three days.', 'warta' ) . '</p>';
		}
		return $result;
	}
}
