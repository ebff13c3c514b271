package com.oviron.callidus.agent.settings;

import java.util.ArrayList;
import java.util.List;

/** JSON Pointers (RFC 6901): how settings paths are written in conflicts and errors, e.g. {@code /chair/speed}. */
final class JsonPointer {
    private JsonPointer() {
    }

    static String child(String parent, String key) {
        return parent + "/" + key.replace("~", "~0").replace("/", "~1");
    }

    static List<String> tokens(String pointer) {
        List<String> out = new ArrayList<>();
        if (pointer.isEmpty()) {
            return out;
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            out.add(raw.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }
}
