package com.oviron.callidus.agent.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.fake.InMemoryCommandJournal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubscriptionCommandsTest {
    private static final Instant NOW = Instant.parse("2026-11-21T08:00:00Z");
    private final TestTokens t = new TestTokens();
    private final FakeTime time = new FakeTime(NOW);
    private final ManualClock local = time.wall;
    private final FakeMqttConnection link = new FakeMqttConnection();
    private final Topics topics = new Topics(TestTokens.SERIAL);
    private final ExecutorService commands = Executors.newSingleThreadExecutor();
    private SubscriptionService service;
    private CommandChannel channel;
    private int sent;
    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        service = SubscriptionService.open(SubscriptionSettings.defaults(t.pinned, dir), TestTokens.SERIAL, local,
                time.monotonic());
        channel = new CommandChannel(link, topics, new InMemoryCommandJournal(), commands, local);
        SubscriptionCommands.registerOn(channel, service);
        channel.register("files.upload", c -> new JsonObject());
        channel.start();
        link.connect();
    }

    @AfterEach
    void stop() {
        commands.shutdownNow();
    }

    private JsonObject send(String name, JsonObject args) {
        JsonObject cmd = new JsonObject();
        cmd.addProperty("v", 1);
        cmd.addProperty("id", "c-" + (++sent));
        cmd.addProperty("name", name);
        cmd.add("args", args);
        cmd.addProperty("issuedAt", local.millis());
        cmd.addProperty("expiresAt", local.millis() + 60_000);
        link.deliver(topics.commands(), cmd.toString().getBytes(StandardCharsets.UTF_8));
        int expected = sent;
        Await.until("reply " + expected, Duration.ofSeconds(10), () -> link.publishes().size() >= expected);
        return JsonParser.parseString(new String(link.publishes().get(expected - 1).payload(), StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    private static JsonObject args(String token) {
        JsonObject a = new JsonObject();
        a.addProperty("token", token);
        return a;
    }

    @Test
    void install_then_get_over_the_command_channel() {
        JsonObject reply = send("subscription.install", args(t.token(4)));
        assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
        JsonObject result = reply.getAsJsonObject("result");
        assertTrue(result.get("installed").getAsBoolean());
        assertEquals("active", result.getAsJsonObject("status").get("state").getAsString());

        JsonObject status = send("subscription.get", new JsonObject()).getAsJsonObject("result");
        assertEquals("active", status.get("state").getAsString());
        assertEquals("2027-03-10", status.getAsJsonObject("serviceManager").get("end").getAsString());
        assertEquals("2027-03-25", status.getAsJsonObject("serviceManager").get("cloudServicesUntil").getAsString());
        assertEquals(109, status.getAsJsonObject("serviceManager").get("daysUntilEnd").getAsLong());
        assertTrue(status.getAsJsonObject("extendedWarranty").get("active").getAsBoolean());
        assertEquals(4, status.getAsJsonObject("token").get("tsn").getAsLong());
        assertEquals("trusted", status.getAsJsonObject("clock").get("state").getAsString());
        assertFalse(status.toString().contains(t.token(4).substring(0, 20)), "the token itself is not echoed");
    }

    @Test
    void a_refused_token_is_an_invalid_argument_naming_the_reason() {
        send("subscription.install", args(t.token(4)));
        JsonObject reply = send("subscription.install", args(t.token(3)));
        assertFalse(reply.get("ok").getAsBoolean());
        assertEquals("invalid_argument", reply.getAsJsonObject("error").get("code").getAsString());
        assertTrue(reply.getAsJsonObject("error").get("message").getAsString().startsWith("args.token: older_serial: "),
                reply.toString());
        JsonObject bad = send("subscription.install", args("a.b.c"));
        assertTrue(bad.getAsJsonObject("error").get("message").getAsString().startsWith("args.token: malformed: "));
        JsonObject huge = send("subscription.install", args("x".repeat(5000)));
        assertTrue(huge.getAsJsonObject("error").get("message").getAsString().startsWith("args.token: too_large"));
    }

    @Test
    void unknown_or_missing_arguments_are_refused() {
        JsonObject a = args(t.token(1));
        a.addProperty("force", true);
        assertEquals("invalid_argument", send("subscription.install", a).getAsJsonObject("error").get("code")
                .getAsString());
        assertEquals("invalid_argument", send("subscription.install", new JsonObject()).getAsJsonObject("error")
                .get("code").getAsString());
        assertEquals("no_token", send("subscription.get", new JsonObject()).getAsJsonObject("result").get("state")
                .getAsString(), "nothing was installed");
    }

    @Test
    void without_a_valid_subscription_other_commands_are_not_entitled() {
        JsonObject refused = send("files.upload", new JsonObject());
        assertEquals("not_entitled", refused.getAsJsonObject("error").get("code").getAsString());
        assertTrue(send("commands.list", new JsonObject()).get("ok").getAsBoolean());
        assertTrue(send("subscription.install", args(t.token(1))).get("ok").getAsBoolean());
        assertTrue(send("files.upload", new JsonObject()).get("ok").getAsBoolean());
        local.set(Instant.parse("2027-03-26T00:00:00Z"));
        assertEquals("not_entitled", send("files.upload", new JsonObject()).getAsJsonObject("error").get("code")
                .getAsString());
        assertEquals("lapsed", send("subscription.get", new JsonObject()).getAsJsonObject("result").get("state")
                .getAsString());
    }

    @Test
    void a_wrong_trusted_time_that_lapsed_the_subscription_is_corrected_by_challenge_and_signed_statement() {
        assertTrue(send("subscription.install", args(t.token(1))).get("ok").getAsBoolean());
        local.set(NOW.plus(Duration.ofDays(200)));        // a wrong RTC: trusted time follows it
        assertEquals("lapsed", send("subscription.get", new JsonObject()).getAsJsonObject("result").get("state")
                .getAsString());
        local.set(NOW);                                  // the clock is set right, the mark stays
        assertEquals("not_entitled", send("files.upload", new JsonObject()).getAsJsonObject("error").get("code")
                .getAsString());

        JsonObject challenge = send("clock.challenge", new JsonObject());
        assertTrue(challenge.get("ok").getAsBoolean(), "allowed while lapsed: " + challenge);
        JsonObject c = challenge.getAsJsonObject("result");
        assertEquals(TestTokens.SERIAL, c.get("device").getAsString());
        assertEquals(TestTokens.ISSUER, c.get("issuer").getAsString());
        assertEquals(600, c.get("validSeconds").getAsLong());
        assertEquals("jumped_back", c.getAsJsonObject("clock").get("state").getAsString());
        assertEquals(NOW.plus(Duration.ofDays(200)).toEpochMilli(),
                c.getAsJsonObject("clock").get("trustedTime").getAsLong());

        JsonObject a = new JsonObject();
        a.addProperty("statement", t.statement(c.get("nonce").getAsString(), NOW));
        JsonObject set = send("clock.set", a);
        assertTrue(set.get("ok").getAsBoolean(), set.toString());
        JsonObject result = set.getAsJsonObject("result");
        assertEquals(NOW.plus(Duration.ofDays(200)).toEpochMilli(), result.get("trustedTimeBefore").getAsLong());
        assertEquals(NOW.toEpochMilli(), result.get("trustedTime").getAsLong());
        assertEquals("active", result.getAsJsonObject("status").get("state").getAsString());
        assertEquals("trusted", result.getAsJsonObject("status").getAsJsonObject("clock").get("state").getAsString());
        assertEquals("statement", result.getAsJsonObject("status").getAsJsonObject("clock").get("lastTrustedSource")
                .getAsString());
        assertTrue(send("files.upload", new JsonObject()).get("ok").getAsBoolean(), "cloud services are back");

        JsonObject replay = send("clock.set", a);
        assertEquals("invalid_argument", replay.getAsJsonObject("error").get("code").getAsString());
        assertTrue(replay.getAsJsonObject("error").get("message").getAsString().startsWith(
                "args.statement: nonce_used: "), replay.toString());
    }

    @Test
    void clock_set_refuses_a_token_a_huge_statement_and_unknown_arguments() {
        JsonObject a = new JsonObject();
        a.addProperty("statement", t.token(1));
        assertTrue(send("clock.set", a).getAsJsonObject("error").get("message").getAsString()
                .startsWith("args.statement: bad_header: "));
        a.addProperty("statement", "x".repeat(3000));
        assertTrue(send("clock.set", a).getAsJsonObject("error").get("message").getAsString()
                .startsWith("args.statement: too_large"));
        JsonObject extra = new JsonObject();
        extra.addProperty("force", true);
        assertEquals("invalid_argument", send("clock.challenge", extra).getAsJsonObject("error").get("code")
                .getAsString());
    }
}
