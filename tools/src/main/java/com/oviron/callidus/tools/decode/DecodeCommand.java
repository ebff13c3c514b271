package com.oviron.callidus.tools.decode;

import com.oviron.callidus.cloud.MalformedMessageException;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.store.TelemetryRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code decode}: prints a telemetry batch (format 2 or 1, as received from the broker) as JSON (format 1
 * layout) or CSV, after every check of the reference decoder.
 */
public final class DecodeCommand {
    static final String USAGE = """
            Usage: java -jar tools/target/callidus-tools.jar decode [--csv] <file | ->

            Decodes one telemetry batch payload (the bytes of an MQTT message on callidus/v1/<id>/telemetry,
            format 2 or 1) from a file or standard input ("-") and prints it as JSON (default) or CSV
            (seq,channel,timestamp_ms,value,quality). Exit 0, or 1 with the reason if the payload is
            malformed (bad magic, hash, layout, ...), or 2 for a usage error.
            """;

    private DecodeCommand() {
    }

    public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
        boolean csv = false;
        String source = null;
        for (String a : args) {
            switch (a) {
                case "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--csv" -> csv = true;
                default -> {
                    if (source != null || (a.startsWith("--") && !a.equals("-"))) {
                        err.println("error: unexpected argument '" + a + "'");
                        err.print(USAGE);
                        return 2;
                    }
                    source = a;
                }
            }
        }
        if (source == null) {
            err.print(USAGE);
            return 2;
        }
        byte[] payload;
        try {
            payload = source.equals("-") ? stdin.readNBytes(TelemetryBatchCodec.MAX_PAYLOAD_BYTES + 1)
                    : Files.readAllBytes(Path.of(source));
        } catch (IOException e) {
            err.println("error: cannot read " + source + ": " + e.getMessage());
            return 2;
        }
        TelemetryBatch batch;
        try {
            batch = TelemetryBatchCodec.decode(payload);
        } catch (MalformedMessageException e) {
            err.println("malformed batch: " + e.getMessage());
            return 1;
        }
        if (csv) {
            out.println("seq,channel,timestamp_ms,value,quality");
            for (TelemetryRecord r : batch.readings()) {
                out.println(r.seq() + "," + r.channelId() + "," + r.timestampMillis() + ","
                        + (Double.isFinite(r.value()) ? Double.toString(r.value()) : "") + "," + r.qualityCode());
            }
        } else {
            out.println(new String(TelemetryBatchCodec.encodeJson(batch), StandardCharsets.UTF_8));
        }
        return 0;
    }
}
