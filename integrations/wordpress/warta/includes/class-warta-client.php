<?php
/**
 * Talks to Warta's ingest API: signed POST of an article, signed DELETE to withdraw one.
 *
 * @package Warta
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Each call answers with an outcome: `sent`, `refused` (Warta said no with reasons: not retried)
 * or `retry` (network trouble, 5xx, 408, 429: tried again later).
 */
class Warta_Client {
	/** Seconds to wait for Warta; this runs in WP-Cron, never in the editor's request. */
	const TIMEOUT = 15;

	/**
	 * `sha256=<hex>` of HMAC-SHA256(secret, body): what Warta verifies in X-Hub-Signature-256
	 * (shared/auth/webhook-signature.ts). The signature covers the exact bytes sent.
	 *
	 * @param string $secret The shared secret.
	 * @param string $body   The exact request body.
	 * @return string
	 */
	public static function signature( $secret, $body ) {
		return 'sha256=' . hash_hmac( 'sha256', $body, $secret );
	}

	/**
	 * Creates or updates the article.
	 *
	 * @param array $article Warta's article JSON fields.
	 * @return array{outcome: string, status: int|null, message: string}
	 */
	public static function send_article( $article ) {
		$body = wp_json_encode( $article, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
		if ( false === $body ) {
			return array(
				'outcome' => 'refused',
				'status'  => null,
				'message' => __( 'The post could not be encoded as JSON (invalid UTF-8?).', 'warta' ),
			);
		}
		return self::request( 'POST', Warta_Settings::ingest_url(), $body );
	}

	/**
	 * Withdraws the article: it leaves every feed. An article Warta never had counts as withdrawn.
	 *
	 * @param string $article_id Warta's article id.
	 * @return array{outcome: string, status: int|null, message: string}
	 */
	public static function withdraw( $article_id ) {
		$result = self::request( 'DELETE', Warta_Settings::ingest_url() . '/' . rawurlencode( $article_id ), '' );
		if ( 404 === $result['status'] ) {
			return array(
				'outcome' => 'sent',
				'status'  => 404,
				'message' => __( 'Warta did not have it; nothing to withdraw.', 'warta' ),
			);
		}
		return $result;
	}

	/**
	 * A signed request that changes nothing: withdrawing an article that does not exist. Warta
	 * checks the signature first, so 404 means "reachable, and the secret matches".
	 *
	 * @return array{outcome: string, status: int|null, message: string}
	 */
	public static function probe() {
		$result = self::request( 'DELETE', Warta_Settings::ingest_url() . '/warta-connection-test-' . strtolower( wp_generate_password( 12, false ) ), '' );
		if ( 404 === $result['status'] ) {
			$result['outcome'] = 'sent';
			$result['message'] = '' === Warta_Settings::secret()
				? __( 'Warta answered. No secret is set, so requests are unsigned: only a local `warta start` accepts them.', 'warta' )
				: __( 'Warta answered and accepted the signed request.', 'warta' );
		}
		return $result;
	}

	/**
	 * Sends one request and classifies the answer.
	 *
	 * @param string $method HTTP method.
	 * @param string $url    Full URL.
	 * @param string $body   Body, signed as is.
	 * @return array{outcome: string, status: int|null, message: string}
	 */
	private static function request( $method, $url, $body ) {
		if ( '' === Warta_Settings::ingest_url() ) {
			return array(
				'outcome' => 'retry',
				'status'  => null,
				'message' => __( 'No ingest URL is set in Settings → Warta.', 'warta' ),
			);
		}
		$headers = array(
			'Content-Type' => 'application/json; charset=utf-8',
			'User-Agent'   => 'Warta-WordPress/' . WARTA_PLUGIN_VERSION . '; ' . home_url( '/' ),
		);
		$secret  = Warta_Settings::secret();
		if ( '' !== $secret ) {
			$headers['X-Hub-Signature-256'] = self::signature( $secret, $body );
		}
		// wp_remote_request, not wp_safe_remote_request: the administrator chose this URL, and a Warta on
		// the same host or network (warta start) is a normal setup.
		$response = wp_remote_request(
			$url,
			array(
				'method'      => $method,
				'timeout'     => self::TIMEOUT,
				'redirection' => 0,
				'headers'     => $headers,
				'body'        => $body,
			)
		);
		if ( is_wp_error( $response ) ) {
			return array(
				'outcome' => 'retry',
				'status'  => null,
				'message' => $response->get_error_message(),
			);
		}
		$status  = (int) wp_remote_retrieve_response_code( $response );
		$decoded = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		$message = self::describe( $status, is_array( $decoded ) ? $decoded : array() );
		if ( $status >= 200 && $status < 300 ) {
			$outcome = 'sent';
		} elseif ( $status >= 400 && $status < 500 && 408 !== $status && 429 !== $status ) {
			$outcome = 'refused';
		} else {
			$outcome = 'retry';
		}
		return array(
			'outcome' => $outcome,
			'status'  => $status,
			'message' => $message,
		);
	}

	/**
	 * A one-line account of Warta's answer: its status, and every problem it named.
	 *
	 * @param int   $status  HTTP status.
	 * @param array $decoded The JSON answer.
	 * @return string
	 */
	private static function describe( $status, $decoded ) {
		$parts = array();
		if ( isset( $decoded['status'] ) && is_string( $decoded['status'] ) ) {
			$parts[] = $decoded['status'] . ( isset( $decoded['version'] ) ? ' (version ' . (int) $decoded['version'] . ')' : '' );
		}
		if ( isset( $decoded['problems'] ) && is_array( $decoded['problems'] ) ) {
			foreach ( $decoded['problems'] as $problem ) {
				if ( is_array( $problem ) && isset( $problem['message'] ) ) {
					$parts[] = ( isset( $problem['field'] ) ? $problem['field'] . ': ' : '' ) . $problem['message'];
				}
			}
		}
		if ( isset( $decoded['message'] ) && is_string( $decoded['message'] ) ) {
			$parts[] = $decoded['message'];
		}
		if ( ! $parts ) {
			$parts[] = 'HTTP ' . $status;
		}
		return implode( '; ', $parts );
	}
}
