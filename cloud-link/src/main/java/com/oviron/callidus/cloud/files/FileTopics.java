package com.oviron.callidus.cloud.files;

import com.oviron.callidus.cloud.Topics;
import java.util.Objects;

/**
 * The file-transfer topics of one unit, {@code callidus/v1/<deviceId>/file/<what>}: five levels, within the
 * seven AWS IoT Core allows.
 */
public record FileTopics(Topics topics) {
    public FileTopics {
        Objects.requireNonNull(topics, "topics");
    }

    private String base() {
        return Topics.ROOT + "/" + topics.deviceId() + "/file/";
    }

    /** Unit to cloud: which chunks of a download the unit wants next (JSON). */
    public String need() {
        return base() + "need";
    }

    /** Cloud to unit: chunks of a download (binary {@link ChunkFrame}). */
    public String chunk() {
        return base() + "chunk";
    }

    /** Unit to cloud: the announcement of an upload (JSON). */
    public String offer() {
        return base() + "offer";
    }

    /** Unit to cloud: chunks of an upload (binary {@link ChunkFrame}). */
    public String upload() {
        return base() + "upload";
    }

    /** Unit to cloud: progress and outcome of every transfer (JSON). */
    public String progress() {
        return base() + "progress";
    }

    /** Cloud side: the filter for one of the topics above for every unit, e.g. {@code all("need")}. */
    public static String all(String what) {
        return Topics.ROOT + "/+/file/" + what;
    }
}
