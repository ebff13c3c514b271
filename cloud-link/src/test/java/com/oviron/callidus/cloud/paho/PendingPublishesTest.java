package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.NotConnectedException;
import com.oviron.callidus.cloud.PublishRefusedException;
import com.oviron.callidus.cloud.paho.PendingPublishes.Loss;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class PendingPublishesTest {
    private static final long MS = 1_000_000;

    private static Throwable failure(CompletableFuture<Void> f) {
        assertTrue(f.isCompletedExceptionally());
        try {
            f.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void in_3_1_1_a_drop_within_two_seconds_of_a_publish_refuses_it_and_an_older_one_only_lost_its_session() {
        PendingPublishes p = new PendingPublishes();
        CompletableFuture<Void> old = new CompletableFuture<>();
        CompletableFuture<Void> recent = new CompletableFuture<>();
        p.add(old, 0, true);
        p.add(recent, 9_000 * MS, true);
        p.failAll(Loss.dropped("Connection lost"), false, 10_000 * MS);
        assertTrue(failure(old) instanceof NotConnectedException);
        Throwable refused = failure(recent);
        assertTrue(refused instanceof PublishRefusedException, refused.toString());
        assertTrue(((PublishRefusedException) refused).reasonCode().isEmpty());
        assertEquals(0, p.size());
        assertEquals(0, p.awaitingAcknowledgement());
    }

    @Test
    void in_3_1_1_a_drop_before_the_subscriptions_were_answered_refuses_nothing() {
        PendingPublishes p = new PendingPublishes();
        CompletableFuture<Void> recent = new CompletableFuture<>();
        p.add(recent, 9_990 * MS, true);
        p.failAll(Loss.dropped("Connection lost").beforeSubscribed(), false, 10_000 * MS);
        Throwable f = failure(recent);
        assertTrue(f instanceof NotConnectedException, f.toString());
        assertTrue(f.getMessage().contains("before the subscriptions were answered"), f.getMessage());
    }

    @Test
    void in_mqtt5_a_bare_drop_refuses_nothing() {
        PendingPublishes p = new PendingPublishes();
        CompletableFuture<Void> recent = new CompletableFuture<>();
        p.add(recent, 9_999 * MS, true);
        p.failAll(Loss.dropped("Connection lost"), true, 10_000 * MS);
        assertTrue(failure(recent) instanceof NotConnectedException);
    }

    @Test
    void in_mqtt5_a_disconnect_naming_a_message_refuses_the_recent_publishes_with_its_code() {
        PendingPublishes p = new PendingPublishes();
        CompletableFuture<Void> recent = new CompletableFuture<>();
        CompletableFuture<Void> old = new CompletableFuture<>();
        p.add(old, 0, true);
        p.add(recent, 9_500 * MS, true);
        p.failAll(Loss.disconnect("the broker disconnected: 0x95 packet too large", 0x95), true, 10_000 * MS);
        PublishRefusedException refused = (PublishRefusedException) failure(recent);
        assertEquals(0x95, refused.reasonCode().getAsInt());
        assertFalse(refused.temporary());
        assertTrue(failure(old) instanceof NotConnectedException);
    }

    @Test
    void a_disconnect_for_another_reason_or_the_units_own_cut_refuses_nothing() {
        for (Loss loss : new Loss[] {Loss.disconnect("server shutting down", 0x8B),
                Loss.disconnect("session taken over", 0x8E), Loss.byUnit("broker silent")}) {
            PendingPublishes p = new PendingPublishes();
            CompletableFuture<Void> recent = new CompletableFuture<>();
            p.add(recent, 10_000 * MS, true);
            p.failAll(loss, loss.kind() == Loss.Kind.BROKER_DISCONNECT, 10_000 * MS);
            assertTrue(failure(recent) instanceof NotConnectedException, loss.toString());
        }
    }

    @Test
    void a_quota_disconnect_is_a_temporary_refusal() {
        PendingPublishes p = new PendingPublishes();
        CompletableFuture<Void> recent = new CompletableFuture<>();
        p.add(recent, 10_000 * MS, true);
        p.failAll(Loss.disconnect("quota", 0x97), true, 10_000 * MS);
        assertTrue(((PublishRefusedException) failure(recent)).temporary());
    }

    @Test
    void an_answered_publish_leaves_and_is_never_failed() {
        PendingPublishes p = new PendingPublishes();
        CompletableFuture<Void> f = new CompletableFuture<>();
        long id = p.add(f, 0, true);
        CompletableFuture<Void> qos0 = new CompletableFuture<>();
        p.add(qos0, 0, false);
        assertEquals(1, p.awaitingAcknowledgement(), "QoS 0 does not take a slot of the in-flight window");
        assertSame(f, p.remove(id));
        assertNull(p.remove(id));
        assertEquals(0, p.awaitingAcknowledgement());
        f.complete(null);
        p.failAll(Loss.dropped("gone"), false, 0);
        assertFalse(f.isCompletedExceptionally());
        assertTrue(qos0.isCompletedExceptionally());
    }
}
