package com.oviron.callidus.cloud.files;

import java.util.Arrays;

/** A validated {@code file.offer}: the file the cloud wants to send. */
record DownloadOffer(String transferId, FileKind kind, String name, long size, byte[] sha256, int chunkSize,
                     long deadlineMillis) {
    DownloadOffer {
        sha256 = sha256.clone();
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    boolean sameFileAs(com.oviron.callidus.store.transfers.StoredTransfer t) {
        return t.kind().equals(kind.wire()) && t.name().equals(name) && t.size() == size
                && Arrays.equals(t.sha256(), sha256) && t.chunkSize() == chunkSize;
    }
}
