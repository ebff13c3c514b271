package com.oviron.callidus.store;

/**
 * The store's figures for diagnostics and the cloud.
 *
 * @param usedBytes       bytes the database's live pages take (the file may be larger: freed pages are reused)
 * @param droppedReadings readings removed by retention before the cloud acknowledged them, since the store
 *                        was created (never reset)
 * @param aggregateRows   per-minute aggregates kept for dropped readings
 */
public record StoreStats(long usedBytes, long droppedReadings, long aggregateRows) {
}
