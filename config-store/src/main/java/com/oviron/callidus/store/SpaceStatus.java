package com.oviron.callidus.store;

/**
 * The disk space of the store folder as the store sees it, for health messages and diagnostics.
 *
 * @param freeBytes    bytes free on the store folder's file system now (for the agent's user)
 * @param totalBytes   size of that file system
 * @param reserveBytes size of the reserve file the store keeps there (see {@link StoreSpace})
 * @param reserveHeld  whether the reserve file is in place (false while it is released to let writes through)
 * @param limitBytes   how many bytes the stored readings may take now: the configured size, or less when the
 *                     disk holds less
 * @param full         the store met a full disk (an alarm {@code store.full} was raised and not yet cleared)
 */
public record SpaceStatus(long freeBytes, long totalBytes, long reserveBytes, boolean reserveHeld, long limitBytes,
                          boolean full) {
}
