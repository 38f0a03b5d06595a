<?php
/**
 * Turns a WordPress post into Warta's article JSON, as readers of the site see the post.
 *
 * @package Warta
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Which posts may be public, and what Warta receives for them.
 */
class Warta_Article {

	/**
	 * Warta's article id for a post: stable, so every update of the post updates the same article
	 * (and matches what `warta import` gives the same post from a WordPress export).
	 *
	 * @param int $post_id The post ID.
	 * @return string
	 */
	public static function id_for( $post_id ) {
		return 'wp-' . (int) $post_id;
	}

	/**
	 * Whether the post's type is one of those chosen in the settings.
	 *
	 * @param WP_Post $post The post.
	 * @return bool
	 */
	public static function is_tracked_type( $post ) {
		return in_array( $post->post_type, Warta_Settings::post_types(), true );
	}

	/**
	 * Whether the post may be in the public feeds right now: published, not password-protected,
	 * of a chosen type. Drafts, pending, private, scheduled and trashed posts never are.
	 *
	 * @param WP_Post|null $post The post, or null when it no longer exists.
	 * @return bool
	 */
	public static function is_public( $post ) {
		return $post instanceof WP_Post
			&& self::is_tracked_type( $post )
			&& 'publish' === $post->post_status
			&& '' === (string) $post->post_password;
	}

	/**
	 * Warta's article for a public post.
	 *
	 * @param WP_Post $post The post.
	 * @return array
	 */
	public static function build( $post ) {
		$article = array(
			'id'          => self::id_for( $post->ID ),
			'url'         => get_permalink( $post ),
			'title'       => self::plain_text( get_the_title( $post ) ),
			'bodyHtml'    => self::content_as_readers_see_it( $post ),
			'tags'        => self::tags( $post ),
			'authors'     => self::authors( $post ),
			'language'    => self::language(),
		);
		$published = self::utc( $post->post_date_gmt, $post->post_date );
		if ( null !== $published ) {
			$article['publishedAt'] = $published;
		}
		$updated = self::utc( $post->post_modified_gmt, $post->post_modified );
		if ( null !== $updated ) {
			$article['updatedAt'] = $updated;
		}
		$summary = self::summary( $post );
		if ( '' !== $summary ) {
			$article['summary'] = $summary;
		}
		$section = self::section( $post );
		if ( '' !== $section ) {
			$article['section'] = $section; // Absent rather than empty: Warta then uses its default section.
		}
		$image = self::featured_image( $post );
		if ( $image ) {
			$article['images'] = array( $image );
		}
		/**
		 * Filters the article sent to Warta for a post.
		 *
		 * @param array   $article Warta's article JSON fields.
		 * @param WP_Post $post    The post.
		 */
		return apply_filters( 'warta_article', $article, $post );
	}

	/**
	 * A post date as ISO 8601 UTC (`2024-02-07T09:30:00Z`). The GMT column is empty (zero) for a post
	 * published straight from a draft with wp_publish_post(), so the local date in the site's timezone
	 * stands in.
	 *
	 * @param string $gmt   The `*_gmt` column.
	 * @param string $local The local column.
	 * @return string|null
	 */
	public static function utc( $gmt, $local ) {
		$zero = '0000-00-00 00:00:00';
		if ( is_string( $gmt ) && '' !== $gmt && $zero !== $gmt ) {
			$date = date_create_immutable( $gmt, new DateTimeZone( 'UTC' ) );
		} elseif ( is_string( $local ) && '' !== $local && $zero !== $local ) {
			$date = date_create_immutable( $local, wp_timezone() );
		} else {
			return null;
		}
		return $date ? $date->setTimezone( new DateTimeZone( 'UTC' ) )->format( 'Y-m-d\\TH:i:s\\Z' ) : null;
	}

	/**
	 * Tags and entities removed and decoded once: "Title <em>With</em> &amp; More" → "Title With & More".
	 *
	 * @param string $html Text that may hold markup and entities.
	 * @return string
	 */
	public static function plain_text( $html ) {
		$text = html_entity_decode( wp_strip_all_tags( (string) $html ), ENT_QUOTES | ENT_HTML5, 'UTF-8' );
		return trim( preg_replace( '/\s+/u', ' ', $text ) );
	}

	/**
	 * The post's content through `the_content` with the post set up as the global post, as a single
	 * post page renders it: blocks and shortcodes rendered, all pages of a paginated post.
	 *
	 * @param WP_Post $post The post.
	 * @return string
	 */
	public static function content_as_readers_see_it( $post ) {
		global $more;
		$previous_post = isset( $GLOBALS['post'] ) ? $GLOBALS['post'] : null;
		$previous_more = $more;
		// phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- setup_postdata needs the global post, restored below.
		$GLOBALS['post'] = $post;
		setup_postdata( $post );
		$more = 1; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- the whole post, not the teaser.
		// Every page of a <!--nextpage--> post, joined: a feed reader gets the whole article.
		$content = str_replace( array( "<!--nextpage-->\n", '<!--nextpage-->' ), '', (string) $post->post_content );
		$html    = apply_filters( 'the_content', $content );
		$html    = str_replace( ']]>', ']]&gt;', (string) $html );
		$more    = $previous_more; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		// phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		$GLOBALS['post'] = $previous_post;
		if ( $previous_post instanceof WP_Post ) {
			setup_postdata( $previous_post );
		}
		return trim( $html );
	}

	/**
	 * The excerpt the site shows: the hand-written one, or WordPress's automatic one.
	 *
	 * @param WP_Post $post The post.
	 * @return string
	 */
	public static function summary( $post ) {
		if ( has_excerpt( $post ) ) {
			$excerpt = apply_filters( 'get_the_excerpt', $post->post_excerpt, $post );
		} else {
			$excerpt = wp_trim_words( excerpt_remove_blocks( strip_shortcodes( (string) $post->post_content ) ), (int) apply_filters( 'excerpt_length', 55 ), '…' );
		}
		$text = self::plain_text( $excerpt );
		if ( function_exists( 'mb_strlen' ) && mb_strlen( $text ) > 2000 ) {
			$text = rtrim( mb_substr( $text, 0, 1999 ) ) . '…';
		}
		return $text;
	}

	/**
	 * The section: Yoast SEO's primary category when Yoast is active and one is set, otherwise the
	 * first category. WordPress's "Uncategorized" is not a section.
	 *
	 * @param WP_Post $post The post.
	 * @return string
	 */
	public static function section( $post ) {
		if ( class_exists( 'WPSEO_Primary_Term' ) ) {
			$primary = new WPSEO_Primary_Term( 'category', $post->ID );
			$term_id = (int) $primary->get_primary_term();
			if ( $term_id > 0 ) {
				$term = get_term( $term_id, 'category' );
				if ( $term instanceof WP_Term ) {
					return self::plain_text( $term->name );
				}
			}
		}
		$categories = get_the_category( $post->ID );
		foreach ( $categories as $category ) {
			if ( 'uncategorized' !== $category->slug ) {
				return self::plain_text( $category->name );
			}
		}
		return '';
	}

	/**
	 * Tag names, at most 50 (Warta's limit).
	 *
	 * @param WP_Post $post The post.
	 * @return string[]
	 */
	public static function tags( $post ) {
		$terms = get_the_tags( $post->ID );
		if ( ! is_array( $terms ) ) {
			return array();
		}
		$names = array();
		foreach ( $terms as $term ) {
			$name = self::plain_text( $term->name );
			if ( '' !== $name ) {
				$names[] = function_exists( 'mb_substr' ) ? mb_substr( $name, 0, 100 ) : substr( $name, 0, 100 );
			}
		}
		return array_slice( array_values( array_unique( $names ) ), 0, 50 );
	}

	/**
	 * The bylines: Co-Authors Plus's co-authors when it is active, otherwise the post's author.
	 *
	 * @param WP_Post $post The post.
	 * @return array
	 */
	public static function authors( $post ) {
		$authors = array();
		if ( function_exists( 'get_coauthors' ) ) {
			foreach ( (array) get_coauthors( $post->ID ) as $coauthor ) {
				$name = isset( $coauthor->display_name ) ? self::plain_text( $coauthor->display_name ) : '';
				if ( '' !== $name ) {
					$authors[] = array( 'name' => $name );
				}
			}
		}
		if ( ! $authors && $post->post_author ) {
			$name = self::plain_text( get_the_author_meta( 'display_name', (int) $post->post_author ) );
			if ( '' !== $name ) {
				$authors[] = array( 'name' => $name );
			}
		}
		return array_slice( $authors, 0, 20 );
	}

	/**
	 * The site's language as a BCP 47 tag: `id_ID` → `id-ID`.
	 *
	 * @return string
	 */
	public static function language() {
		$tag = str_replace( '_', '-', (string) get_locale() );
		return preg_match( '/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/', $tag ) ? $tag : 'en';
	}

	/**
	 * The featured image with its caption and credit (the credit from the image's IPTC/EXIF data,
	 * which WordPress keeps in the attachment metadata, or an `_warta_credit` / `credit` field).
	 *
	 * @param WP_Post $post The post.
	 * @return array|null
	 */
	public static function featured_image( $post ) {
		$attachment_id = (int) get_post_thumbnail_id( $post );
		if ( $attachment_id <= 0 ) {
			return null;
		}
		$source = wp_get_attachment_image_src( $attachment_id, 'full' );
		if ( ! $source || empty( $source[0] ) ) {
			return null;
		}
		$image = array( 'url' => (string) $source[0] );
		if ( ! empty( $source[1] ) && ! empty( $source[2] ) ) {
			$image['width']  = (int) $source[1];
			$image['height'] = (int) $source[2];
		}
		$mime = get_post_mime_type( $attachment_id );
		if ( is_string( $mime ) && '' !== $mime ) {
			$image['type'] = $mime;
		}
		$caption = self::plain_text( (string) wp_get_attachment_caption( $attachment_id ) );
		if ( '' !== $caption ) {
			$image['caption'] = $caption;
		}
		$credit = '';
		foreach ( array( '_warta_credit', 'credit' ) as $key ) {
			$value = get_post_meta( $attachment_id, $key, true );
			if ( is_string( $value ) && '' !== trim( $value ) ) {
				$credit = $value;
				break;
			}
		}
		if ( '' === $credit ) {
			$meta = wp_get_attachment_metadata( $attachment_id );
			if ( is_array( $meta ) && isset( $meta['image_meta']['credit'] ) && is_string( $meta['image_meta']['credit'] ) ) {
				$credit = $meta['image_meta']['credit'];
			}
		}
		$credit = self::plain_text( $credit );
		if ( '' !== $credit ) {
			$image['credit'] = $credit;
		}
		return $image;
	}
}
