/**
 * The user cache's entries: pretrained models built once under a lock, reused while valid, rebuilt when not.
 *
 * <ul>
 *   <li>{@link org.qformerlab.blip2.cache.CacheEntry} is the one mechanism: the folder
 *       {@code <cacheRoot>/<kind>/<hash of key>}, its {@code config.json} that records the key, and
 *       load-or-build under the entry's lock. The image encoders
 *       ({@link org.qformerlab.blip2.vision.EncoderCache}, {@link org.qformerlab.blip2.vision.ShippedEncoder})
 *       and the language model ({@link org.qformerlab.blip2.llm.LanguageModelCache}) use it.</li>
 *   <li>{@link org.qformerlab.blip2.cache.CacheKeys} names entries (SHA-256 of the key).</li>
 *   <li>{@link org.qformerlab.blip2.cache.CacheLock} holds one builder per entry across processes and
 *       threads; the feature cache ({@link org.qformerlab.blip2.vision.FeatureCache}), whose entries
 *       are validated by their own manifest, uses it directly.</li>
 * </ul>
 *
 * <p>Where the cache is: {@link org.qformerlab.blip2.config.UserCache#folder()}.
 */
package org.qformerlab.blip2.cache;
