package com.oviron.callidus.agent.access;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.audit.AuditEntry;
import com.oviron.callidus.store.state.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.tinylog.Logger;

/**
 * Writes the service record of a console session (issue 14): technician, times, every action of the session
 * with its result (from the audit trail), the alarms at login and now, the self-test if one was run since the
 * login; signed with the unit's key ({@link ServiceRecord}), saved as
 * {@code <store folder>/service-records/<id>.jws} (the newest {@value #KEEP} are kept) and sent to the cloud as
 * a file of kind {@code service_record}. Audited.
 */
public final class SignedServiceRecords implements ServiceRecords {
    /** Records kept on the unit. */
    static final int KEEP = 500;
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** Sends a saved record to the cloud; returns the transfer id. */
    @FunctionalInterface
    public interface Upload {
        String send(Path file) throws Exception;
    }

    private final String deviceId;
    private final String agentVersion;
    private final Auditor auditor;
    private final RecordSigner key;
    private final SelfTestResults selfTests;
    private final Supplier<List<String>> alarms;
    private final Path folder;
    private final Supplier<Optional<Upload>> upload;
    private final Clock clock;

    /**
     * @param folder where records are saved ({@code <store folder>/service-records})
     * @param upload how to send a record, when the cloud services are there
     */
    public SignedServiceRecords(String deviceId, String agentVersion, Auditor auditor, RecordSigner key,
                                SelfTestResults selfTests, Supplier<List<String>> alarms, Path folder,
                                Supplier<Optional<Upload>> upload, Clock clock) {
        this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
        this.agentVersion = Objects.requireNonNull(agentVersion, "agentVersion");
        this.auditor = Objects.requireNonNull(auditor, "auditor");
        this.key = Objects.requireNonNull(key, "key");
        this.selfTests = Objects.requireNonNull(selfTests, "selfTests");
        this.alarms = Objects.requireNonNull(alarms, "alarms");
        this.folder = Objects.requireNonNull(folder, "folder");
        this.upload = Objects.requireNonNull(upload, "upload");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The folder records are saved in. */
    public Path folder() {
        return folder;
    }

    @Override
    public List<String> write(Session session) throws IOException {
        Instant now = clock.instant();
        JsonObject doc = document(session, now);
        String signed = ServiceRecord.sign(doc, key);
        String id = doc.get("id").getAsString();
        Path file = folder.resolve(id + ".jws");
        Files.createDirectories(folder);
        DurableFiles.replace(file, (signed + "\n").getBytes(StandardCharsets.US_ASCII));
        prune();
        List<String> lines = new ArrayList<>(ServiceRecord.lines(doc));
        lines.add("signed       : with unit key " + key.keyId() + "; saved as " + file.getFileName());
        String sent;
        Optional<Upload> up = upload.get();
        if (up.isEmpty()) {
            sent = "not sent: the unit has no cloud file transfer";
        } else {
            try {
                sent = "being sent to the cloud (transfer " + up.get().send(file) + ")";
            } catch (Exception e) {
                Logger.warn("service record not sent now id={} error={}", id, e.getMessage());
                sent = "not sent now (" + e.getMessage() + "); it stays on the unit";
            }
        }
        lines.add("cloud        : " + sent);
        JsonObject details = new JsonObject();
        details.addProperty("id", id);
        details.addProperty("actions", doc.getAsJsonArray("actions").size());
        details.addProperty("unitKey", key.keyId());
        auditor.record(Auditor.SERVICE_RECORD, "service_record", session.who().actor(), session.who().role().wire(),
                session.origin(), details, "ok", true);
        return lines;
    }

    JsonObject document(Session session, Instant now) throws IOException {
        JsonObject r = new JsonObject();
        r.addProperty("v", 1);
        r.addProperty("kind", ServiceRecord.KIND);
        r.addProperty("id", "sr-" + deviceId + "-" + ID_TIME.format(now));
        r.addProperty("device", deviceId);
        r.addProperty("agentVersion", agentVersion);
        JsonObject t = new JsonObject();
        Principal p = session.who();
        t.addProperty("id", p.actor());
        p.name().ifPresent(n -> t.addProperty("name", n));
        t.addProperty("role", p.role().wire());
        t.addProperty("method", p.method() == Principal.Method.PIN ? "pin" : "token");
        p.tokenId().ifPresent(x -> t.addProperty("tokenId", x));
        p.keyId().ifPresent(x -> t.addProperty("keyId", x));
        r.add("technician", t);
        r.addProperty("via", session.origin().via());
        r.addProperty("session", session.origin().session());
        r.addProperty("started", session.startedAt().toEpochMilli());
        r.addProperty("ended", now.toEpochMilli());
        JsonArray actions = new JsonArray();
        List<AuditEntry> entries;
        try {
            entries = auditor.session(session.origin().session());
        } catch (StoreException e) {
            throw new IOException("the audit trail could not be read: " + e.getMessage(), e);
        }
        for (AuditEntry e : entries) {
            JsonObject a = new JsonObject();
            a.addProperty("at", e.atMillis());
            a.addProperty("action", e.action());
            a.add("args", ServiceRecord.details(e.details()));
            a.addProperty("result", e.outcome());
            a.addProperty("ok", e.ok());
            actions.add(a);
        }
        r.add("actions", actions);
        // the login opens every session's entries: without it, the bound of the audit log removed some
        r.addProperty("actionsIncomplete", entries.isEmpty() || !entries.get(0).action().equals("login"));
        r.add("alarmsBefore", strings(session.alarmsBefore()));
        r.add("alarmsAfter", strings(alarms.get()));
        Optional<SelfTestResults.Result> st = selfTests.since(session.startedAt());
        if (st.isPresent()) {
            JsonObject s = new JsonObject();
            s.addProperty("at", st.get().at().toEpochMilli());
            s.addProperty("passed", st.get().passed());
            s.addProperty("summary", st.get().summary());
            st.get().signed().ifPresent(x -> s.addProperty("signed", x));
            r.add("selfTest", s);
        } else {
            r.add("selfTest", com.google.gson.JsonNull.INSTANCE);
        }
        return r;
    }

    private static JsonArray strings(List<String> list) {
        JsonArray a = new JsonArray();
        list.forEach(a::add);
        return a;
    }

    private void prune() {
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> records = files.filter(f -> f.getFileName().toString().endsWith(".jws"))
                    .sorted(Comparator.comparing(Path::getFileName).reversed()).toList();
            for (Path old : records.subList(Math.min(KEEP, records.size()), records.size())) {
                Files.deleteIfExists(old);
            }
        } catch (IOException e) {
            Logger.warn("old service records not pruned error={}", e.getMessage());
        }
    }
}
