package com.oviron.callidus.hal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.internal.LazilyParsedNumber;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;

/**
 * Parses configuration files (the agent's config, register maps) as strict RFC 8259 JSON (no comments, no single quotes, nothing after the
 * object) and refuses a key that appears twice in one object: Gson's own parser would silently keep the
 * last one, and a field tech's duplicated key must not override the first without a word.
 */
public final class StrictJson {

    /** A key appears twice in the same object. */
    public static final class DuplicateKeyException extends IOException {
        private final String key;

        DuplicateKeyException(String key) {
            super("duplicate key " + key);
            this.key = key;
        }

        /** The dotted path of the repeated key. */
        public String key() {
            return key;
        }
    }

    private StrictJson() {
    }

    /**
     * Parses the text.
     *
     * @throws DuplicateKeyException when a key repeats within one object
     * @throws IOException           (or Gson's runtime JsonParseException) when the text is not strict JSON
     */
    public static JsonElement parse(String text) throws IOException {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement root = read(reader, "");
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IOException("unexpected content after the end of the JSON value at " + reader.getPath());
            }
            return root;
        }
    }

    private static JsonElement read(JsonReader reader, String path) throws IOException {
        switch (reader.peek()) {
            case BEGIN_OBJECT -> {
                JsonObject object = new JsonObject();
                reader.beginObject();
                while (reader.hasNext()) {
                    String name = reader.nextName();
                    String key = path.isEmpty() ? name : path + "." + name;
                    if (object.has(name)) {
                        throw new DuplicateKeyException(key);
                    }
                    object.add(name, read(reader, key));
                }
                reader.endObject();
                return object;
            }
            case BEGIN_ARRAY -> {
                JsonArray array = new JsonArray();
                reader.beginArray();
                int i = 0;
                while (reader.hasNext()) {
                    array.add(read(reader, path + "[" + i++ + "]"));
                }
                reader.endArray();
                return array;
            }
            case STRING -> {
                return new JsonPrimitive(reader.nextString());
            }
            case NUMBER -> {
                return new JsonPrimitive(new LazilyParsedNumber(reader.nextString()));
            }
            case BOOLEAN -> {
                return new JsonPrimitive(reader.nextBoolean());
            }
            case NULL -> {
                reader.nextNull();
                return JsonNull.INSTANCE;
            }
            default -> throw new IOException("unexpected " + reader.peek() + " at " + reader.getPath());
        }
    }
}
