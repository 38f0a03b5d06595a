<?php
/**
 * Settings → Warta: where to send, the secret, which post types, a test, and the last deliveries.
 *
 * @package Warta
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The settings page and its two buttons.
 */
class Warta_Admin {
	const PAGE = 'warta';

	/**
	 * Hooks into the admin.
	 */
	public static function register() {
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		add_action( 'admin_init', array( __CLASS__, 'settings' ) );
		add_action( 'admin_post_warta_send_test', array( __CLASS__, 'send_test' ) );
		add_action( 'admin_post_warta_retry_now', array( __CLASS__, 'retry_now' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( WARTA_PLUGIN_FILE ), array( __CLASS__, 'action_links' ) );
	}

	/**
	 * Adds Settings → Warta.
	 */
	public static function menu() {
		add_options_page( __( 'Warta', 'warta' ), __( 'Warta', 'warta' ), 'manage_options', self::PAGE, array( __CLASS__, 'render' ) );
	}

	/**
	 * A "Settings" link on the Plugins screen.
	 *
	 * @param string[] $links Existing links.
	 * @return string[]
	 */
	public static function action_links( $links ) {
		array_unshift( $links, '<a href="' . esc_url( admin_url( 'options-general.php?page=' . self::PAGE ) ) . '">' . esc_html__( 'Settings', 'warta' ) . '</a>' );
		return $links;
	}

	/**
	 * Registers the option with its sanitizer.
	 */
	public static function settings() {
		register_setting(
			'warta',
			Warta_Settings::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( 'Warta_Settings', 'sanitize' ),
				'default'           => array(),
			)
		);
	}

	/**
	 * "Send test": a signed request that changes nothing, answered at once on the page.
	 */
	public static function send_test() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'You may not change Warta settings.', 'warta' ), 403 );
		}
		check_admin_referer( 'warta_send_test' );
		$result = Warta_Client::probe();
		set_transient(
			'warta_test_result_' . get_current_user_id(),
			array(
				'ok'      => 'sent' === $result['outcome'],
				'status'  => $result['status'],
				'message' => $result['message'],
			),
			MINUTE_IN_SECONDS
		);
		wp_safe_redirect( admin_url( 'options-general.php?page=' . self::PAGE ) );
		exit;
	}

	/**
	 * "Retry now": every waiting or failed delivery is due now, and the queue runs in this request.
	 */
	public static function retry_now() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'You may not change Warta settings.', 'warta' ), 403 );
		}
		check_admin_referer( 'warta_retry_now' );
		Warta_Queue::retry_now();
		Warta_Queue::run();
		wp_safe_redirect( admin_url( 'options-general.php?page=' . self::PAGE ) );
		exit;
	}

	/**
	 * The page.
	 */
	public static function render() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$settings = Warta_Settings::all();
		$test     = get_transient( 'warta_test_result_' . get_current_user_id() );
		if ( $test ) {
			delete_transient( 'warta_test_result_' . get_current_user_id() );
		}
		?>
		<div class="wrap">
			<h1><?php esc_html_e( 'Warta', 'warta' ); ?></h1>
			<?php settings_errors( Warta_Settings::OPTION ); ?>
			<?php if ( is_array( $test ) ) : ?>
				<div class="notice <?php echo $test['ok'] ? 'notice-success' : 'notice-error'; ?> warta-test-result">
					<p>
						<strong><?php echo $test['ok'] ? esc_html__( 'Test sent.', 'warta' ) : esc_html__( 'Test failed.', 'warta' ); ?></strong>
						<?php echo null !== $test['status'] ? esc_html( 'HTTP ' . $test['status'] . ': ' ) : ''; ?>
						<?php echo esc_html( $test['message'] ); ?>
					</p>
				</div>
			<?php endif; ?>
			<p><?php esc_html_e( 'Published posts are sent to Warta when they are published, updated, unpublished, trashed or deleted. Drafts, pending, private and password-protected posts are never sent; a post that becomes private or password-protected is withdrawn from the feeds. Deliveries are queued and sent by WP-Cron, and retried for three days when Warta cannot be reached.', 'warta' ); ?></p>
			<form method="post" action="options.php">
				<?php settings_fields( 'warta' ); ?>
				<table class="form-table" role="presentation">
					<tr>
						<th scope="row"><label for="warta-ingest-url"><?php esc_html_e( 'Ingest URL', 'warta' ); ?></label></th>
						<td>
							<input type="url" class="regular-text code" id="warta-ingest-url" name="<?php echo esc_attr( Warta_Settings::OPTION ); ?>[ingest_url]" value="<?php echo esc_attr( $settings['ingest_url'] ); ?>" placeholder="https://abc123.execute-api.ap-southeast-3.amazonaws.com/articles" />
							<p class="description"><?php esc_html_e( 'The IngestUrl output of the Warta stack, ending in /articles.', 'warta' ); ?></p>
						</td>
					</tr>
					<tr>
						<th scope="row"><label for="warta-secret"><?php esc_html_e( 'Secret', 'warta' ); ?></label></th>
						<td>
							<?php if ( Warta_Settings::secret_from_constant() ) : ?>
								<p><?php esc_html_e( 'Set by WARTA_WEBHOOK_SECRET in wp-config.php, which takes precedence over this page.', 'warta' ); ?></p>
							<?php else : ?>
								<input type="password" class="regular-text" id="warta-secret" autocomplete="new-password" name="<?php echo esc_attr( Warta_Settings::OPTION ); ?>[secret]" value="" placeholder="<?php echo '' !== $settings['secret'] ? esc_attr__( '(saved; type to replace)', 'warta' ) : ''; ?>" />
								<?php if ( '' !== $settings['secret'] ) : ?>
									<label><input type="checkbox" name="<?php echo esc_attr( Warta_Settings::OPTION ); ?>[clear_secret]" value="1" /> <?php esc_html_e( 'Remove the saved secret', 'warta' ); ?></label>
								<?php endif; ?>
								<p class="description"><?php esc_html_e( 'The webhook secret from the stack\'s Secrets Manager secret (WebhookSecretArn). Better: define WARTA_WEBHOOK_SECRET in wp-config.php. Without a secret requests are unsigned, which only a local warta start accepts.', 'warta' ); ?></p>
							<?php endif; ?>
						</td>
					</tr>
					<tr>
						<th scope="row"><?php esc_html_e( 'Post types', 'warta' ); ?></th>
						<td>
							<fieldset>
							<?php foreach ( get_post_types( array( 'public' => true ), 'objects' ) as $type ) : ?>
								<?php
								if ( 'attachment' === $type->name ) {
									continue;
								}
								?>
								<label><input type="checkbox" name="<?php echo esc_attr( Warta_Settings::OPTION ); ?>[post_types][]" value="<?php echo esc_attr( $type->name ); ?>" <?php checked( in_array( $type->name, $settings['post_types'], true ) ); ?> /> <?php echo esc_html( $type->labels->name ); ?></label><br />
							<?php endforeach; ?>
							</fieldset>
						</td>
					</tr>
				</table>
				<?php submit_button(); ?>
			</form>

			<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" style="display:inline-block;margin-right:1em">
				<input type="hidden" name="action" value="warta_send_test" />
				<?php wp_nonce_field( 'warta_send_test' ); ?>
				<?php submit_button( __( 'Send test', 'warta' ), 'secondary', 'submit', false ); ?>
			</form>
			<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" style="display:inline-block">
				<input type="hidden" name="action" value="warta_retry_now" />
				<?php wp_nonce_field( 'warta_retry_now' ); ?>
				<?php submit_button( __( 'Retry waiting and failed deliveries now', 'warta' ), 'secondary', 'submit', false ); ?>
			</form>

			<h2><?php esc_html_e( 'Last deliveries', 'warta' ); ?></h2>
			<?php self::render_table(); ?>
		</div>
		<?php
	}

	/**
	 * The status table.
	 */
	private static function render_table() {
		$rows = Warta_Queue::latest( 30 );
		if ( ! $rows ) {
			echo '<p>' . esc_html__( 'Nothing sent yet.', 'warta' ) . '</p>';
			return;
		}
		$labels = array(
			'pending' => __( 'waiting', 'warta' ),
			'sent'    => __( 'sent', 'warta' ),
			'refused' => __( 'refused', 'warta' ),
			'failed'  => __( 'failed', 'warta' ),
			'skipped' => __( 'not sent', 'warta' ),
		);
		?>
		<table class="widefat striped warta-deliveries">
			<thead>
				<tr>
					<th><?php esc_html_e( 'Post', 'warta' ); ?></th>
					<th><?php esc_html_e( 'Change', 'warta' ); ?></th>
					<th><?php esc_html_e( 'State', 'warta' ); ?></th>
					<th><?php esc_html_e( 'Attempts', 'warta' ); ?></th>
					<th><?php esc_html_e( 'Last attempt (UTC)', 'warta' ); ?></th>
					<th><?php esc_html_e( 'Next attempt (UTC)', 'warta' ); ?></th>
					<th><?php esc_html_e( 'Warta answered', 'warta' ); ?></th>
				</tr>
			</thead>
			<tbody>
			<?php foreach ( $rows as $row ) : ?>
				<?php $retrying = 'pending' === $row->state && (int) $row->attempts > 0; ?>
				<tr class="warta-state-<?php echo esc_attr( $retrying ? 'retrying' : $row->state ); ?>">
					<td>
						<?php
						$edit = get_edit_post_link( (int) $row->post_id );
						$name = '' !== $row->post_title ? $row->post_title : '#' . (int) $row->post_id;
						echo $edit ? '<a href="' . esc_url( $edit ) . '">' . esc_html( $name ) . '</a>' : esc_html( $name );
						?>
						<br /><code><?php echo esc_html( $row->article_id ); ?></code>
					</td>
					<td><?php echo esc_html( $row->reason ); ?></td>
					<td><?php echo esc_html( $retrying ? __( 'retrying', 'warta' ) : ( isset( $labels[ $row->state ] ) ? $labels[ $row->state ] : $row->state ) ); ?></td>
					<td><?php echo (int) $row->attempts; ?></td>
					<td><?php echo esc_html( (string) $row->last_attempt_gmt ); ?></td>
					<td><?php echo esc_html( 'pending' === $row->state ? $row->next_attempt_gmt : '' ); ?></td>
					<td><?php echo esc_html( ( $row->http_status ? 'HTTP ' . $row->http_status . ': ' : '' ) . $row->message ); ?></td>
				</tr>
			<?php endforeach; ?>
			</tbody>
		</table>
		<?php
	}
}
