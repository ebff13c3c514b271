package com.oviron.callidus.agent.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.hal.fake.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetainedTokenListenerTest {
    private final TestTokens t = new TestTokens();
    private final FakeMqttConnection link = new FakeMqttConnection();
    private final Topics topics = new Topics(TestTokens.SERIAL);
    private final List<Runnable> posted = new ArrayList<>();
    @TempDir
    Path dir;

    private SubscriptionService subscribe() {
        SubscriptionService s = SubscriptionService.open(SubscriptionSettings.defaults(t.pinned, dir),
                TestTokens.SERIAL, new ManualClock());
        RetainedTokenListener.subscribe(link, topics, s, posted::add);
        return s;
    }

    private void deliver(String payload) {
        link.deliver("callidus/v1/" + TestTokens.SERIAL + "/subscription", payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void the_retained_token_is_installed_on_the_executor_not_the_connection_thread() {
        SubscriptionService s = subscribe();
        deliver("{\"v\":1,\"token\":\"" + t.token(3) + "\"}");
        assertTrue(s.status().token().isEmpty(), "nothing done on the connection's thread");
        posted.forEach(Runnable::run);
        assertEquals(3, s.status().token().orElseThrow().claims().tokenSerial());
    }

    @Test
    void the_same_token_on_every_connect_and_an_older_one_leave_the_installed_token() {
        SubscriptionService s = subscribe();
        deliver("{\"v\":1,\"token\":\"" + t.token(3) + "\"}");
        deliver("{\"v\":1,\"token\":\"" + t.token(3) + "\"}");
        deliver("{\"v\":1,\"token\":\"" + t.token(2) + "\"}");
        posted.forEach(Runnable::run);
        assertEquals(3, s.status().token().orElseThrow().claims().tokenSerial());
    }

    @Test
    void malformed_empty_or_huge_messages_are_ignored() {
        SubscriptionService s = subscribe();
        for (String bad : List.of("", "not json", "{\"v\":2,\"token\":\"x\"}", "{\"token\":\"x\"}",
                "{\"v\":1,\"token\":\"" + t.token(1) + "\",\"extra\":1}", "{\"v\":1,\"token\":5}",
                "{\"v\":1,\"token\":\"" + "a".repeat(10_000) + "\"}", "{\"v\":1,\"token\":\"a.b.c\"}")) {
            deliver(bad);
        }
        posted.forEach(Runnable::run);
        assertTrue(s.status().token().isEmpty());
        assertEquals("callidus/v1/" + TestTokens.SERIAL + "/subscription", RetainedTokenListener.topic(topics));
    }
}
