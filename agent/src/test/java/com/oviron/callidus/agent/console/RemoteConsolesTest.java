package com.oviron.callidus.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.access.Origin;
import com.oviron.callidus.agent.access.Role;
import com.oviron.callidus.cloud.MalformedMessageException;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.console.ConsoleFrame;
import com.oviron.callidus.cloud.console.RemoteConsoleLink;
import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.store.fake.InMemoryCommandJournal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Remote support through the unit's command channel and the console stream, over a fake connection. */
class RemoteConsolesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Topics TOPICS = new Topics(ConsoleFixture.SERIAL);

    @TempDir
    Path dir;
    private ConsoleFixture fixture;
    private final FakeMqttConnection mqtt = new FakeMqttConnection();
    private final ExecutorService cloudCommands = Executors.newSingleThreadExecutor();
    private CommandChannel cloud;
    private RemoteConsoles remote;
    private final AtomicLong inSeq = new AtomicLong();
    private final java.util.List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        fixture = new ConsoleFixture(dir);
        // the cloud's commands arrive on their own channel over the fake link; the console's words run on the
        // fixture's channel, as in the agent where both are one channel
        cloud = new CommandChannel(mqtt, TOPICS, new InMemoryCommandJournal(), cloudCommands, fixture.clock);
        fixture.channel.register("status.get", c -> {
            JsonObject r = new JsonObject();
            r.addProperty("device", ConsoleFixture.SERIAL);
            return r;
        });
        RemoteConsoleLink link = new RemoteConsoleLink(mqtt, TOPICS, fixture.clock);
        remote = new RemoteConsoles(link, fixture.channel, fixture.consoleAccess(), fixture.clock);
        remote.registerOn(cloud);
        remote.onNotice(notices::add);
        link.start();
        cloud.start();
        mqtt.connect();
    }

    @AfterEach
    void stop() throws InterruptedException {
        remote.close();
        cloudCommands.shutdownNow();
        cloudCommands.awaitTermination(5, TimeUnit.SECONDS);
        fixture.close();
    }

    private JsonObject call(String name, String args) {
        String id = "c-" + System.nanoTime();
        String command = "{\"v\":1,\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"args\":" + args
                + ",\"expiresAt\":" + (fixture.clock.millis() + 60_000) + "}";
        mqtt.deliver(TOPICS.commands(), command.getBytes(StandardCharsets.UTF_8));
        JsonObject[] reply = new JsonObject[1];
        Await.until("the reply to " + name, WAIT, () -> {
            for (FakeMqttConnection.Publish p : mqtt.publishes()) {
                if (p.topic().equals(TOPICS.replies())) {
                    JsonObject r = com.google.gson.JsonParser.parseString(new String(p.payload(),
                            StandardCharsets.UTF_8)).getAsJsonObject();
                    if (id.equals(r.get("id").getAsString())) {
                        reply[0] = r;
                        return true;
                    }
                }
            }
            return false;
        });
        return reply[0];
    }

    private void type(String session, String text) {
        mqtt.deliver(TOPICS.consoleIn(), ConsoleFrame.data(session, inSeq.incrementAndGet(),
                text.getBytes(StandardCharsets.UTF_8)).encode());
    }

    /** Everything the unit sent on console/out so far, as text, and the end reason if there was one. */
    private String screen() {
        StringBuilder b = new StringBuilder();
        for (FakeMqttConnection.Publish p : mqtt.publishes()) {
            if (p.topic().equals(TOPICS.consoleOut())) {
                try {
                    ConsoleFrame f = ConsoleFrame.decode(p.payload(), ConsoleFrame.MAX_OUT_BYTES);
                    f.data().ifPresent(d -> b.append(new String(d, StandardCharsets.UTF_8)));
                    f.end().ifPresent(e -> b.append("<end:").append(e).append('>'));
                } catch (MalformedMessageException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return b.toString();
    }

    private void grantConsent() {
        assertEquals(Optional.empty(), fixture.access.consent().grant(Duration.ofMinutes(30), "clinic", "clinic",
                Origin.of(Origin.CONSOLE)));
    }

    @Test
    void without_consent_the_cloud_is_refused_not_consented() {
        JsonObject reply = call("console.open", "{\"session\":\"rc-1\"}");
        assertFalse(reply.get("ok").getAsBoolean());
        assertEquals("not_consented", reply.getAsJsonObject("error").get("code").getAsString());
        assertEquals("", screen());
    }

    @Test
    void with_consent_a_word_typed_remotely_runs_and_its_answer_comes_back() {
        grantConsent();
        JsonObject reply = call("console.open", "{\"session\":\"rc-1\",\"operator\":\"ana@oviron\"}");
        assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
        assertEquals(fixture.access.consent().current().orElseThrow().until().toEpochMilli(),
                reply.getAsJsonObject("result").get("consentUntil").getAsLong());
        Await.until("the remote greeting and prompt", WAIT, () -> screen().contains(
                "CALLIDUS remote console of CAL-000123 (remote support allowed until 2026-12-11 08:30 UTC)")
                && screen().endsWith("CAL-000123> "));
        type("rc-1", "status\r");
        Await.until("the answer", WAIT, () -> screen().contains("device : CAL-000123"));
        assertTrue(call("console.open", "{\"session\":\"rc-1\"}").get("ok").getAsBoolean(), "the same session again");
        assertEquals("busy", call("console.open", "{\"session\":\"rc-2\"}").getAsJsonObject("error").get("code")
                .getAsString());
    }

    @Test
    void a_remote_engineer_logs_in_with_a_token_but_can_never_grant_consent() {
        grantConsent();
        call("console.open", "{\"session\":\"rc-1\"}");
        Await.until("the prompt", WAIT, () -> screen().endsWith("CAL-000123> "));
        type("rc-1", "login\r");
        Await.until("the question", WAIT, () -> screen().endsWith("PIN or technician token: "));
        type("rc-1", fixture.technician("T-4711", Role.SERVICE, 8) + "\r");
        Await.until(() -> "logged in: " + screen(), WAIT, () -> screen().endsWith("CAL-000123 [T-4711 service]> "));
        type("rc-1", "consent grant 60\r");
        Await.until("refused", WAIT, () -> screen().contains("consent not granted: consent is given by a person at"
                + " the unit"));
        assertTrue(fixture.auditLog.newest(10).stream().anyMatch(e -> e.action().equals("login")
                && e.via().equals("remote-console")));
    }

    @Test
    void revoking_the_consent_at_the_unit_ends_the_remote_console() {
        grantConsent();
        call("console.open", "{\"session\":\"rc-1\"}");
        Await.until("the prompt", WAIT, () -> screen().endsWith("CAL-000123> "));
        fixture.access.consent().revoke("clinic", "clinic", Origin.of(Origin.CONSOLE));
        Await.until("the end", WAIT, () -> screen().endsWith("<end:consent_revoked>"));
        Await.until("the notices at the unit", WAIT, () -> notices.size() == 2);
        assertEquals(java.util.List.of("[remote] Oviron's service opened a remote console (cloud, session rc-1)",
                "[remote] the remote console ended (consent_revoked)"), notices);
        assertTrue(fixture.events.stream().anyMatch(e -> e.startsWith("audit.remote_console action=remote_console_closed")
                && e.contains("\"reason\":\"consent_revoked\"")), fixture.events.toString());
        assertEquals("not_consented", call("console.open", "{\"session\":\"rc-3\"}").getAsJsonObject("error")
                .get("code").getAsString());
    }

    @Test
    void the_consent_running_out_ends_it_and_console_close_ends_it_too() {
        grantConsent();
        call("console.open", "{\"session\":\"rc-1\"}");
        assertTrue(call("console.close", "{\"session\":\"rc-1\"}").getAsJsonObject("result").get("closed")
                .getAsBoolean());
        Await.until("closed", WAIT, () -> screen().endsWith("<end:closed>"));
        // a consent of 5 minutes, shorter than the session's idle time (10 minutes): only the consent ends it
        assertEquals(Optional.empty(), fixture.access.consent().grant(Duration.ofMinutes(5), "clinic", "clinic",
                Origin.of(Origin.CONSOLE)));
        call("console.open", "{\"session\":\"rc-2\"}");
        fixture.clock.advance(Duration.ofMinutes(6));
        fixture.access.consent().tick();
        Await.until("ended with the consent", WAIT, () -> screen().endsWith("<end:consent_ended>"));
    }
}
