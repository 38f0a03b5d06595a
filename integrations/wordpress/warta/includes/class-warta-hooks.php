<?php
/**
 * Watches posts and queues a delivery when what the public may see changes.
 *
 * @package Warta
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Queues, never sends: the editor's save returns at once and WP-Cron delivers.
 */
class Warta_Hooks {

	/**
	 * Hooks into WordPress.
	 */
	public static function register() {
		add_action( 'transition_post_status', array( __CLASS__, 'on_transition' ), 10, 3 );
		add_action( 'before_delete_post', array( __CLASS__, 'on_delete' ), 10, 1 );
		// A featured image set or removed on its own (the block editor saves it after the post).
		add_action( 'added_post_meta', array( __CLASS__, 'on_meta' ), 10, 3 );
		add_action( 'updated_post_meta', array( __CLASS__, 'on_meta' ), 10, 3 );
		add_action( 'deleted_post_meta', array( __CLASS__, 'on_meta' ), 10, 3 );
	}

	/**
	 * Any status change or save: publish, update, unpublish, trash, scheduled post going live,
	 * a password or "private" added to a published post.
	 *
	 * @param string  $new_status The new status.
	 * @param string  $old_status The old status.
	 * @param WP_Post $post       The post.
	 */
	public static function on_transition( $new_status, $old_status, $post ) {
		if ( ! $post instanceof WP_Post || ! Warta_Article::is_tracked_type( $post ) || wp_is_post_revision( $post ) || wp_is_post_autosave( $post ) ) {
			return;
		}
		if ( 'publish' !== $new_status && 'publish' !== $old_status && ! self::was_delivered( $post->ID ) ) {
			return; // Drafts and other never-public posts: nothing Warta has, nothing to send.
		}
		if ( 'publish' === $new_status && 'publish' !== $old_status ) {
			$reason = 'future' === $old_status ? 'scheduled post published' : 'published';
		} elseif ( 'publish' === $new_status ) {
			$reason = 'updated';
		} elseif ( 'trash' === $new_status ) {
			$reason = 'trashed';
		} else {
			$reason = 'unpublished (' . $new_status . ')';
		}
		if ( 'publish' === $new_status && '' !== (string) $post->post_password ) {
			$reason = 'password-protected';
		}
		Warta_Queue::enqueue( $post->ID, $reason );
	}

	/**
	 * A post deleted for good.
	 *
	 * @param int $post_id The post ID.
	 */
	public static function on_delete( $post_id ) {
		$post = get_post( $post_id );
		if ( ! $post instanceof WP_Post || ! Warta_Article::is_tracked_type( $post ) ) {
			return;
		}
		if ( 'publish' === $post->post_status || self::was_delivered( $post->ID ) ) {
			Warta_Queue::enqueue( $post->ID, 'deleted' );
		}
	}

	/**
	 * The featured image of a published post changed.
	 *
	 * @param int|int[] $meta_ids  Meta ID(s).
	 * @param int       $object_id The post ID.
	 * @param string    $meta_key  The meta key.
	 */
	public static function on_meta( $meta_ids, $object_id, $meta_key ) {
		if ( '_thumbnail_id' !== $meta_key ) {
			return;
		}
		$post = get_post( $object_id );
		if ( $post instanceof WP_Post && Warta_Article::is_public( $post ) ) {
			Warta_Queue::enqueue( $post->ID, 'updated' );
		}
	}

	/**
	 * Whether Warta has (or may have) this post: it was delivered and not withdrawn since.
	 *
	 * @param int $post_id The post ID.
	 * @return bool
	 */
	private static function was_delivered( $post_id ) {
		return '' !== (string) get_post_meta( $post_id, Warta_Queue::DELIVERED_META, true );
	}
}
