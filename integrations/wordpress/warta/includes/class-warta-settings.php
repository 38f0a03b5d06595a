<?php
/**
 * The plugin's settings: where Warta's ingest API is, the shared secret, which post types are sent.
 *
 * @package Warta
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Reads and sanitizes the `warta_settings` option.
 */
class Warta_Settings {
	const OPTION = 'warta_settings';

	/**
	 * The stored settings with defaults filled in.
	 *
	 * @return array{ingest_url: string, secret: string, post_types: string[]}
	 */
	public static function all() {
		$stored = get_option( self::OPTION, array() );
		if ( ! is_array( $stored ) ) {
			$stored = array();
		}
		$post_types = isset( $stored['post_types'] ) && is_array( $stored['post_types'] ) ? array_values( array_filter( $stored['post_types'], 'is_string' ) ) : array( 'post' );
		return array(
			'ingest_url' => isset( $stored['ingest_url'] ) && is_string( $stored['ingest_url'] ) ? $stored['ingest_url'] : '',
			'secret'     => isset( $stored['secret'] ) && is_string( $stored['secret'] ) ? $stored['secret'] : '',
			'post_types' => $post_types ? $post_types : array( 'post' ),
		);
	}

	/**
	 * The ingest URL without a trailing slash, e.g. `https://…/articles`; empty when not configured.
	 *
	 * @return string
	 */
	public static function ingest_url() {
		return untrailingslashit( self::all()['ingest_url'] );
	}

	/**
	 * Whether the secret comes from the WARTA_WEBHOOK_SECRET constant in wp-config.php (which then wins).
	 *
	 * @return bool
	 */
	public static function secret_from_constant() {
		return defined( 'WARTA_WEBHOOK_SECRET' ) && is_string( WARTA_WEBHOOK_SECRET ) && '' !== WARTA_WEBHOOK_SECRET;
	}

	/**
	 * The HMAC secret; empty means requests go unsigned (only a local `warta start` accepts them).
	 *
	 * @return string
	 */
	public static function secret() {
		if ( self::secret_from_constant() ) {
			return (string) WARTA_WEBHOOK_SECRET;
		}
		return self::all()['secret'];
	}

	/**
	 * Post types whose posts are sent.
	 *
	 * @return string[]
	 */
	public static function post_types() {
		return self::all()['post_types'];
	}

	/**
	 * Whether Warta is configured enough to send anything.
	 *
	 * @return bool
	 */
	public static function configured() {
		return '' !== self::ingest_url();
	}

	/**
	 * Sanitizes what the settings form submitted. An empty secret field keeps the stored secret,
	 * so the page never has to print it back.
	 *
	 * @param mixed $input The submitted value.
	 * @return array
	 */
	public static function sanitize( $input ) {
		$current = self::all();
		$input   = is_array( $input ) ? $input : array();
		$url     = isset( $input['ingest_url'] ) ? trim( (string) $input['ingest_url'] ) : $current['ingest_url'];
		if ( '' !== $url && ! wp_http_validate_url( $url ) && ! preg_match( '#^https?://[^\s/]+(/\S*)?$#i', $url ) ) {
			add_settings_error( self::OPTION, 'warta_ingest_url', __( 'The ingest URL must be an http(s) URL such as https://…/articles.', 'warta' ) );
			$url = $current['ingest_url'];
		}
		$secret = $current['secret'];
		if ( ! empty( $input['clear_secret'] ) ) {
			$secret = '';
		} elseif ( isset( $input['secret'] ) && '' !== trim( (string) $input['secret'] ) ) {
			$secret = trim( (string) $input['secret'] );
		}
		$types = array();
		if ( isset( $input['post_types'] ) && is_array( $input['post_types'] ) ) {
			foreach ( $input['post_types'] as $type ) {
				$type = sanitize_key( (string) $type );
				if ( post_type_exists( $type ) ) {
					$types[] = $type;
				}
			}
		}
		return array(
			'ingest_url' => esc_url_raw( $url, array( 'http', 'https' ) ),
			'secret'     => $secret,
			'post_types' => $types ? $types : array( 'post' ),
		);
	}
}
